// defineSubgraphConfig: what every subgraph's env.ts is made of.
import { z } from '@flow/core';
import { defineSubgraphConfig } from '../src/subgraph-env';

const reviews = defineSubgraphConfig({
  name: 'reviews',
  variables: {
    REVIEW_WINDOW_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    REQUEST_DEADLINE_MAX_MS: z.coerce.number().int().min(100).max(600_000).default(150_000),
  },
  toConfig: (env) => ({ reviewWindowDays: env.REVIEW_WINDOW_DAYS }),
  problems: (env) => (env.REVIEW_WINDOW_DAYS === 13 ? ['REVIEW_WINDOW_DAYS: not 13'] : []),
});

describe('defineSubgraphConfig', () => {
  it('listens on the catalog port and reads its own database variable', () => {
    const config = reviews.parse({ REVIEWS_DATABASE_URL: 'postgresql://db/flow?schema=reviews' });
    expect(config).toMatchObject({ port: 8009, host: '127.0.0.1', reviewWindowDays: 30 });
    expect(config.ownDatabaseUrl).toBe('postgresql://db/flow?schema=reviews');
    expect(reviews.parse({ PORT: '9009' }).port).toBe(9009);
  });

  it('has the common variables and its own in its shape; its own replaces a common one', () => {
    expect(Object.keys(reviews.environmentShape)).toEqual(
      expect.arrayContaining([
        'PORT',
        'REVIEWS_DATABASE_URL',
        'ORDERS_URL',
        'AMQP_URL',
        'REVIEW_WINDOW_DAYS',
      ]),
    );
    expect(reviews.parse({}).maxDeadlineMs).toBe(150_000);
    expect(defineSubgraphConfig({ name: 'reviews' }).parse({}).maxDeadlineMs).toBe(15_000);
  });

  it('names every bad variable, its own, the common ones and its rules', () => {
    expect(() => reviews.parse({ REVIEW_WINDOW_DAYS: '0', PORT: 'x' })).toThrow(
      /REVIEW_WINDOW_DAYS[\s\S]*PORT|PORT[\s\S]*REVIEW_WINDOW_DAYS/,
    );
    expect(() => reviews.parse({ REVIEW_WINDOW_DAYS: '13' })).toThrow(/REVIEW_WINDOW_DAYS: not 13/);
    expect(() => reviews.parse({ FLOW_ENV: 'production', REVIEW_WINDOW_DAYS: '13' })).toThrow(
      /ROUTER_SIGNING_SECRET[\s\S]*DATABASE_URL: required in production[\s\S]*REVIEW_WINDOW_DAYS: not 13/,
    );
  });
});
