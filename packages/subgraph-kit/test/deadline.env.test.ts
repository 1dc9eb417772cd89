// The deadline part of every subgraph's environment (issue 10): token age, request deadline,
// statement_timeout and the HTTP server policy.
import { subgraphCommonConfig, subgraphConfigReader, subgraphEnvironmentShape } from '../src/subgraph-env';

const reader = subgraphConfigReader('orders', subgraphEnvironmentShape('orders', 8005), (env) =>
  subgraphCommonConfig('orders', env),
);

describe('subgraph deadline environment', () => {
  it('has defaults', () => {
    const config = reader.parse({});
    expect(config.jwt.maxTokenAgeSeconds).toBe(1200);
    expect(config.maxTokenAgeSeconds).toBe(1200);
    expect(config.maxDeadlineMs).toBe(15_000);
    expect(config.statementTimeoutMs).toBe(10_000);
    expect(config.http).toEqual({
      headersTimeoutMs: 66_000,
      requestTimeoutMs: 70_000,
      keepAliveTimeoutMs: 65_000,
      maxConnections: 10_000,
    });
  });

  it('takes every value, and 0 turns statement_timeout off', () => {
    const config = reader.parse({
      MAX_TOKEN_AGE_SECONDS: '600',
      REQUEST_DEADLINE_MAX_MS: '5000',
      DB_STATEMENT_TIMEOUT_MS: '0',
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      HTTP_REQUEST_TIMEOUT_MS: '2000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '3000',
      HTTP_MAX_CONNECTIONS: '50',
    });
    expect(config).toMatchObject({
      maxTokenAgeSeconds: 600,
      maxDeadlineMs: 5000,
      statementTimeoutMs: 0,
      http: { headersTimeoutMs: 1000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 3000, maxConnections: 50 },
    });
  });

  it('names bad values, and a headers timeout above the request timeout', () => {
    expect(() => reader.parse({ REQUEST_DEADLINE_MAX_MS: '5', DB_STATEMENT_TIMEOUT_MS: '-1' })).toThrow(
      /REQUEST_DEADLINE_MAX_MS[\s\S]*DB_STATEMENT_TIMEOUT_MS|DB_STATEMENT_TIMEOUT_MS[\s\S]*REQUEST_DEADLINE_MAX_MS/,
    );
    expect(() => reader.parse({ HTTP_HEADERS_TIMEOUT_MS: '9000', HTTP_REQUEST_TIMEOUT_MS: '5000' })).toThrow(
      /HTTP_HEADERS_TIMEOUT_MS: must not be above HTTP_REQUEST_TIMEOUT_MS/,
    );
  });
});
