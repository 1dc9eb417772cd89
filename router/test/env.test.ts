import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { InvalidEnvironmentError, subgraphCatalog } from '@flow/core';
import { DEVELOPMENT_SIGNING_SECRET, parseRouterConfig } from '../src/env';
import { repositoryRoot } from './support';

describe('parseRouterConfig', () => {
  it('has development defaults for everything', () => {
    const config = parseRouterConfig({});
    expect(config).toMatchObject({
      flowEnv: 'development',
      production: false,
      port: 8000,
      host: '127.0.0.1',
      supergraphPath: join(repositoryRoot, 'schema', 'supergraph.graphql'),
      subgraphs: subgraphCatalog.map(({ name, port }) => ({ name, url: `http://127.0.0.1:${port}/graphql` })),
      jwt: {
        issuer: 'urn:flow:users',
        audience: 'urn:flow:api',
        jwksUrl: 'http://127.0.0.1:8001/.well-known/jwks.json',
        cooldownSeconds: 30,
        cacheSeconds: 600,
      },
      signingSecret: DEVELOPMENT_SIGNING_SECRET,
      limits: {
        maxBodyBytes: 262_144,
        maxDepth: 15,
        maxAliases: 30,
        maxTokens: 10_000,
        maxSelections: 1_000,
        maxFragmentSpreads: 500,
        maxDirectives: 50,
        maxCost: 2_500,
        defaultListSize: 10,
      },
      explorer: true,
      corsOrigins: [],
      trustProxy: undefined,
    });
  });

  it('bounds token age and HTTP connections by default, and lets each be set (issue 10)', () => {
    const defaults = parseRouterConfig({});
    expect(defaults.jwt.maxTokenAgeSeconds).toBe(1200);
    expect(defaults.http).toEqual({
      headersTimeoutMs: 66_000,
      requestTimeoutMs: 70_000,
      keepAliveTimeoutMs: 65_000,
      maxConnections: 10_000,
    });
    const set = parseRouterConfig({
      MAX_TOKEN_AGE_SECONDS: '3600',
      HTTP_HEADERS_TIMEOUT_MS: '5000',
      HTTP_REQUEST_TIMEOUT_MS: '10000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '75000',
      HTTP_MAX_CONNECTIONS: '500',
    });
    expect(set.jwt.maxTokenAgeSeconds).toBe(3600);
    expect(set.http).toEqual({
      headersTimeoutMs: 5000,
      requestTimeoutMs: 10_000,
      keepAliveTimeoutMs: 75_000,
      maxConnections: 500,
    });
    // Node refuses a headers timeout above the request timeout; so does the configuration.
    expect(() =>
      parseRouterConfig({ HTTP_HEADERS_TIMEOUT_MS: '9000', HTTP_REQUEST_TIMEOUT_MS: '5000' }),
    ).toThrow(/HTTP_HEADERS_TIMEOUT_MS/);
    expect(() => parseRouterConfig({ MAX_TOKEN_AGE_SECONDS: '10' })).toThrow(/MAX_TOKEN_AGE_SECONDS/);
    expect(() => parseRouterConfig({ HTTP_MAX_CONNECTIONS: '0' })).toThrow(/HTTP_MAX_CONNECTIONS/);
  });

  it('derives the JWKS URL from USERS_URL unless USERS_JWKS_URL is set', () => {
    expect(parseRouterConfig({ USERS_URL: 'http://users.internal:9001/graphql' }).jwt.jwksUrl).toBe(
      'http://users.internal:9001/.well-known/jwks.json',
    );
    expect(parseRouterConfig({ USERS_JWKS_URL: 'https://keys.example/jwks.json' }).jwt.jwksUrl).toBe(
      'https://keys.example/jwks.json',
    );
  });

  it('treats empty variables as unset and parses lists and proxies', () => {
    const config = parseRouterConfig({
      PORT: '',
      CORS_ORIGINS: 'https://app.flow.test, https://vendor.flow.test',
      TRUST_PROXY: '1',
    });
    expect(config.port).toBe(8000);
    expect(config.corsOrigins).toEqual(['https://app.flow.test', 'https://vendor.flow.test']);
    expect(config.trustProxy).toBe(1);
  });

  it('requires a strong signing secret in production and turns the explorer off there', () => {
    expect(() => parseRouterConfig({ FLOW_ENV: 'production' })).toThrow(
      /ROUTER_SIGNING_SECRET: required in production/,
    );
    expect(() => parseRouterConfig({ FLOW_ENV: 'production', ROUTER_SIGNING_SECRET: 'short' })).toThrow(
      /ROUTER_SIGNING_SECRET: must be at least 32/,
    );
    expect(() =>
      parseRouterConfig({ FLOW_ENV: 'production', ROUTER_SIGNING_SECRET: DEVELOPMENT_SIGNING_SECRET }),
    ).toThrow(/development default/);
    const config = parseRouterConfig({ FLOW_ENV: 'production', ROUTER_SIGNING_SECRET: 'x'.repeat(32) });
    expect(config).toMatchObject({ production: true, explorer: false });
  });

  it('turns the explorer off in production unless EXPLORER (or its former name SANDBOX) enables it', () => {
    const production = { FLOW_ENV: 'production', ROUTER_SIGNING_SECRET: 'x'.repeat(32) };
    expect(parseRouterConfig({ ...production, EXPLORER: 'true' }).explorer).toBe(true);
    expect(parseRouterConfig({ ...production, SANDBOX: 'true' }).explorer).toBe(true);
    expect(parseRouterConfig({ ...production, EXPLORER: 'false', SANDBOX: 'true' }).explorer).toBe(false);
    expect(parseRouterConfig({ FLOW_ENV: 'development' }).explorer).toBe(true);
    expect(parseRouterConfig({ FLOW_ENV: 'development', SANDBOX: 'no' }).explorer).toBe(false);
    expect(() => parseRouterConfig({ EXPLORER: 'maybe' })).toThrow(/EXPLORER/);
  });

  it('throttles sign-in at 20 per minute in process unless told otherwise', () => {
    expect(parseRouterConfig({})).toMatchObject({ signInRateLimitPerMinute: 20, redis: null });
    expect(
      parseRouterConfig({
        LOGIN_RATE_LIMIT_PER_MINUTE: '0',
        REDIS_URL: 'rediss://:secret@cache.internal:6380/2',
        REDIS_KEY_PREFIX: 'flow-staging:',
      }),
    ).toMatchObject({
      signInRateLimitPerMinute: 0,
      redis: { url: 'rediss://:secret@cache.internal:6380/2', keyPrefix: 'flow-staging:' },
    });
    expect(parseRouterConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redis).toEqual({
      url: 'redis://127.0.0.1:6379',
      keyPrefix: 'flow:',
    });
    expect(() =>
      parseRouterConfig({ REDIS_URL: 'http://127.0.0.1:6379', LOGIN_RATE_LIMIT_PER_MINUTE: '-1' }),
    ).toThrow(/LOGIN_RATE_LIMIT_PER_MINUTE[\s\S]*REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/);
  });

  // Live transports (graphql-ws, SSE)
  it('bounds the live transports’ document cache at 32 MiB unless told otherwise (0: no cache)', () => {
    expect(parseRouterConfig({}).subscriptionCacheMaxBytes).toBe(33_554_432);
    expect(parseRouterConfig({ SUBSCRIPTION_CACHE_MAX_BYTES: '0' }).subscriptionCacheMaxBytes).toBe(0);
    expect(parseRouterConfig({ SUBSCRIPTION_CACHE_MAX_BYTES: '1048576' }).subscriptionCacheMaxBytes).toBe(
      1_048_576,
    );
    expect(() => parseRouterConfig({ SUBSCRIPTION_CACHE_MAX_BYTES: '-1' })).toThrow(
      /SUBSCRIPTION_CACHE_MAX_BYTES/,
    );
    expect(() => parseRouterConfig({ SUBSCRIPTION_CACHE_MAX_BYTES: 'lots' })).toThrow(
      /SUBSCRIPTION_CACHE_MAX_BYTES/,
    );
  });

  it('reads every operation budget limit, and refuses nonsense', () => {
    expect(
      parseRouterConfig({
        MAX_QUERY_SELECTIONS: '2000',
        MAX_QUERY_FRAGMENT_SPREADS: '0',
        MAX_QUERY_DIRECTIVES: '10',
        MAX_QUERY_COST: '10000',
        QUERY_COST_DEFAULT_LIST_SIZE: '25',
      }).limits,
    ).toMatchObject({
      maxSelections: 2000,
      maxFragmentSpreads: 0,
      maxDirectives: 10,
      maxCost: 10_000,
      defaultListSize: 25,
    });
    expect(() => parseRouterConfig({ MAX_QUERY_SELECTIONS: '0', MAX_QUERY_COST: 'lots' })).toThrow(
      /MAX_QUERY_SELECTIONS[\s\S]*MAX_QUERY_COST/,
    );
  });

  // Rate limits and caps (usage/).
  it('has rate limits and caps by default, and parses trusted clients', () => {
    const config = parseRouterConfig({});
    expect(config.rateLimits).toMatchObject({
      userPerMinute: 20_000,
      clientPerMinute: 20_000,
      organizationPerMinute: 100_000,
      addressPerMinute: 100_000,
      anonymousPerMinute: 5_000,
      burstSeconds: 60,
      leasePercent: 5,
      trusted: [],
    });
    expect(parseRouterConfig({ RATE_LIMIT_LEASE_PERCENT: '0' }).rateLimits.leasePercent).toBe(0);
    expect(() => parseRouterConfig({ RATE_LIMIT_LEASE_PERCENT: '51' })).toThrow(/RATE_LIMIT_LEASE_PERCENT/);
    expect(config.caps).toEqual({
      subscriptionsPerSocket: 200,
      subscriptionsPerUser: 500,
      documentsPerUser: 25,
      socketsPerUser: 32,
      streamsPerUser: 32,
      anonymousSocketsPerAddress: 64,
    });
    const trusted = parseRouterConfig({ RATE_LIMIT_TRUSTED: 'org:o-1=10, 10.0.0.0/8=5,2001:db8::/32=2' })
      .rateLimits.trusted;
    expect(trusted.map((t) => t.multiplier)).toEqual([10, 5, 2]);
    expect(trusted[0]!.matches({ organizationId: 'o-1', address: null })).toBe(true);
    expect(trusted[1]!.matches({ organizationId: null, address: '::ffff:10.1.2.3' })).toBe(true);
    expect(trusted[1]!.matches({ organizationId: null, address: '11.1.2.3' })).toBe(false);
    expect(trusted[2]!.matches({ organizationId: null, address: '2001:db8:1::7' })).toBe(true);
    expect(() => parseRouterConfig({ RATE_LIMIT_TRUSTED: 'example.com=3' })).toThrow(
      /RATE_LIMIT_TRUSTED: "example.com=3": "example.com" is neither org:<id> nor an address or subnet/,
    );
    expect(() => parseRouterConfig({ RATE_LIMIT_TRUSTED: '10.0.0.0/8=0.5' })).toThrow(/RATE_LIMIT_TRUSTED/);
    expect(() => parseRouterConfig({ MAX_SUBSCRIPTIONS_PER_SOCKET: '0' })).toThrow(
      /MAX_SUBSCRIPTIONS_PER_SOCKET/,
    );
  });

  it('names every bad variable at once', () => {
    let caught: unknown;
    try {
      parseRouterConfig({
        PORT: 'eighty',
        USERS_URL: 'not a url',
        FLOW_ENV: 'staging',
        MAX_QUERY_DEPTH: '0',
        SUPERGRAPH_PATH: '/nope.graphql',
        SANDBOX: 'maybe',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidEnvironmentError);
    const names = (caught as InvalidEnvironmentError).problems.map((p) => p.split(':')[0]);
    expect(names.sort()).toEqual([
      'FLOW_ENV',
      'MAX_QUERY_DEPTH',
      'PORT',
      'SANDBOX',
      'SUPERGRAPH_PATH',
      'USERS_URL',
    ]);
  });
});

describe('the router process', () => {
  const tsx = join(repositoryRoot, 'node_modules', '.bin', 'tsx');
  const server = join(repositoryRoot, 'router', 'src', 'server.ts');

  it('exits non-zero, naming every bad variable', () => {
    const result = spawnSync(tsx, ['--conditions=flow-source', server], {
      env: { PATH: process.env.PATH, FLOW_ENV: 'production', PORT: '99999', JWT_ISSUER: '' },
      encoding: 'utf8',
      // A guard against a hang only: starting under tsx on a loaded machine can take a minute.
      timeout: 170_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('router: invalid configuration');
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('ROUTER_SIGNING_SECRET');
  }, 180_000);

  it('starts, logs JSON, and exits 0 on SIGTERM', async () => {
    const child = spawn(tsx, ['--conditions=flow-source', server], {
      env: { PATH: process.env.PATH, PORT: '0', LOG_LEVEL: 'info', USERS_URL: 'http://127.0.0.1:9/graphql' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('"router ready"')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${stdout}`)));
    });
    await ready;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { msg: string });
    expect(lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['router ready', 'shutting down', 'stopped']),
    );
  });
});
