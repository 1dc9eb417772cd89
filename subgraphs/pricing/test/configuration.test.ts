import { parsePricingConfig } from '../src/env';

describe('configuration', () => {
  test('defaults: port 8006, USD, the other subgraphs on their catalog ports', () => {
    const config = parsePricingConfig({});
    expect(config).toMatchObject({
      port: 8006,
      host: '127.0.0.1',
      platformCurrency: 'USD',
      production: false,
      dependencyTimeoutMs: 3000,
      subgraphUrls: expect.objectContaining({
        users: 'http://127.0.0.1:8001/graphql',
        locations: 'http://127.0.0.1:8003/graphql',
        inventory: 'http://127.0.0.1:8004/graphql',
      }),
    });
    expect(config.jwt.jwksUrl).toBe('http://127.0.0.1:8001/.well-known/jwks.json');
  });

  test('PLATFORM_CURRENCY must be an ISO 4217 code in capitals', () => {
    expect(parsePricingConfig({ PLATFORM_CURRENCY: 'KES' }).platformCurrency).toBe('KES');
    expect(() => parsePricingConfig({ PLATFORM_CURRENCY: 'usd' })).toThrow(/PLATFORM_CURRENCY/);
    expect(() => parsePricingConfig({ PLATFORM_CURRENCY: 'DOLLARS' })).toThrow(/PLATFORM_CURRENCY/);
  });

  test('every bad variable is named at once', () => {
    expect(() =>
      parsePricingConfig({ PORT: 'x', LOCATIONS_URL: 'not a url', PLATFORM_CURRENCY: '€' }),
    ).toThrow(
      /PORT[\s\S]*LOCATIONS_URL[\s\S]*PLATFORM_CURRENCY|PORT[\s\S]*PLATFORM_CURRENCY[\s\S]*LOCATIONS_URL/,
    );
  });

  test('production refuses the development signing secret and a missing database', () => {
    expect(() => parsePricingConfig({ FLOW_ENV: 'production' })).toThrow(
      /ROUTER_SIGNING_SECRET[\s\S]*DATABASE_URL/,
    );
    const config = parsePricingConfig({
      FLOW_ENV: 'production',
      ROUTER_SIGNING_SECRET: 'x'.repeat(40),
      PRICING_DATABASE_URL: 'postgresql://pricing@db/flow',
    });
    expect(config).toMatchObject({ production: true, ownDatabaseUrl: 'postgresql://pricing@db/flow' });
  });
});
