// Issue 10, item 9: tokens with an `iat` in the future, a 10-year `exp` or an old `iat` were
// accepted. The router and every subgraph (platform tokens.ts) now refuse them with 401.
import { randomUUID } from 'node:crypto';
import { REQUEST_ID_HEADER, SIGNATURE_HEADER, signRequest, TIMESTAMP_HEADER } from '@flow/core';
import type { RunningRouter } from '../src/router';
import {
  codeOf,
  graphql,
  memoryLogger,
  SECRET,
  signToken,
  startRouterFixture,
  type RouterFixture,
  type SigningKey,
  type TestSubgraph,
} from './support';

let fixture: RouterFixture;
let key: SigningKey;
let subgraph: TestSubgraph;
let router: RunningRouter;
const routerLog = memoryLogger();

beforeAll(async () => {
  fixture = await startRouterFixture('key-token-age', { production: true });
  ({ key, subgraph } = fixture);
  router = await fixture.startRouter({ FLOW_ENV: 'production' }, routerLog.logger);
});

afterAll(() => fixture?.stop());

const now = () => Math.floor(Date.now() / 1000);
const TEN_YEARS = 10 * 365 * 86_400;

const cases: [string, () => Promise<string>, string][] = [
  // A minute ahead: far beyond the 5 s clock skew.
  [
    'an iat in the future',
    () => signToken(key, { issuedAt: now() + 60, expiresIn: 900 }),
    'ERR_JWT_CLAIM_VALIDATION_FAILED',
  ],
  ['a 10-year exp', () => signToken(key, { expiresIn: TEN_YEARS }), 'ERR_TOKEN_LIFETIME_TOO_LONG'],
  // Issued 2 hours ago and still unexpired (a long-lived token replayed long after it was issued).
  ['an old iat', () => signToken(key, { issuedAt: now() - 7200, expiresIn: 900 }), 'ERR_JWT_EXPIRED'],
];

describe('token age and lifetime at the router', () => {
  it('accepts a fresh 15-minute token', async () => {
    const token = await signToken(key, { expiresIn: 900 });
    const result = await graphql(router.url, '{ me { id } }', { token });
    expect(result.status).toBe(200);
    expect(result.body.data).toEqual({ me: { id: 'user-1' } });
  });

  it.each(cases)(
    'refuses %s with 401 UNAUTHENTICATED, before any subgraph call',
    async (_name, make, reason) => {
      const token = await make();
      const before = subgraph.hits();
      const result = await graphql(router.url, '{ me { id } }', { token });
      expect(result.status).toBe(401);
      expect(codeOf(result)).toBe('UNAUTHENTICATED');
      expect(subgraph.hits()).toBe(before);
      expect(routerLog.lines().some((line) => JSON.stringify(line).includes(reason))).toBe(true);
    },
  );
});

describe('token age and lifetime at a subgraph (a call signed as the router would)', () => {
  async function callSubgraph(token: string) {
    const requestId = `test-${randomUUID()}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const authorization = `Bearer ${token}`;
    const query = '{ me { id } }';
    const response = await fetch(subgraph.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization,
        [REQUEST_ID_HEADER]: requestId,
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signRequest(SECRET, {
          timestamp,
          requestId,
          authorization,
          query,
          operationName: null,
          variables: null,
        }),
      },
      body: JSON.stringify({ query }),
    });
    return {
      status: response.status,
      body: (await response.json()) as { errors?: { extensions?: { code?: string } }[] },
    };
  }

  it('accepts a fresh token', async () => {
    expect((await callSubgraph(await signToken(key))).status).toBe(200);
  });

  it.each(cases)('refuses %s with 401 UNAUTHENTICATED', async (_name, make) => {
    const { status, body } = await callSubgraph(await make());
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
