// Rate limits on every operation (issue 10, item 3): a real router in front of a real users
// subgraph, budgets spent over HTTP POST/GET, SSE and WebSocket, in process and in Redis shared by
// two routers (REDIS_URL, default 127.0.0.1:6379; keys under a prefix unique to this run).
// Budgets refill slowly here (1 point a minute, a long burst) so that no refill happens mid-test.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';
import pino from 'pino';
import { MemoryPointsLimiter } from '@flow/rate-limit';
import { type Viewer } from '@flow/core';
import type { RouterContext } from '../src/context';
import type { RunningRouter } from '../src/router';
import { createOperationRateLimits, type RateLimitSettings } from '../src/usage/rate-limits';
import { parseTrustedClients } from '../src/usage/trusted';
import {
  codeOf,
  graphql,
  newSigningKey,
  signToken,
  startKeyServer,
  startTestRouter,
  startTestSubgraph,
  type GraphQLResult,
  type KeyServer,
  type SigningKey,
  type TestSubgraph,
} from './support';
import { eventStream, metric, openSocket, pool } from './usage-support';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `flow-test:usage:${randomUUID()}:`;
const ME = '{ me { id } }';

let key: SigningKey;
let keyServer: KeyServer;
let subgraph: TestSubgraph;
const routers: RunningRouter[] = [];

beforeAll(async () => {
  key = await newSigningKey('usage-key');
  keyServer = await startKeyServer([key.publicJwk]);
  subgraph = await startTestSubgraph({ production: true, jwksUrl: keyServer.url });
});

afterEach(async () => {
  await Promise.all(routers.splice(0).map((router) => router.stop()));
});

afterAll(async () => {
  await subgraph?.stop();
  await keyServer?.stop();
  const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 0 });
  const keys = await admin.keys(`${PREFIX}*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
});

/** A production router whose budgets hold `burst` points and refill one point a minute. */
async function router(budgets: Record<string, string>, extra: Record<string, string> = {}) {
  const running = await startTestRouter({
    FLOW_ENV: 'production',
    USERS_URL: subgraph.url,
    USERS_JWKS_URL: keyServer.url,
    TRUST_PROXY: 'loopback',
    RATE_LIMIT_BURST_SECONDS: '600', // capacity: 10 minutes' worth of each rate
    ...budgets,
    ...extra,
  });
  routers.push(running);
  return running;
}

const token = (org = 'org-1') => signToken(key, { sub: `user-${randomUUID()}`, org });

function expectRateLimited(result: GraphQLResult, limit: string) {
  expect(result.status).toBe(429);
  expect(codeOf(result)).toBe('RATE_LIMITED');
  const extensions = result.body.errors?.[0]?.extensions ?? {};
  expect(extensions).toMatchObject({ limit });
  expect(extensions.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  expect(result.headers.get('retry-after')).toBe(String(extensions.retryAfterSeconds));
}

it("cuts one user's 600 queries at 20 in flight with RATE_LIMITED and Retry-After, calling no subgraph for them", async () => {
  const { url } = await router({ RATE_LIMIT_USER_POINTS_PER_MINUTE: '10' }); // 100 points at once
  const bearer = await token();
  const hitsBefore = subgraph.hits();
  const started = Date.now();
  // Each query its own text: the router shares identical queries in flight for one caller, which
  // would make one subgraph call serve several (router/README "Performance").
  const results = await pool(600, 20, (i) => graphql(url, `{ call${i}: me { id } }`, { token: bearer }));
  const refilled = Math.ceil((Date.now() - started) / 6000); // one point every 6 s
  const served = results.filter((r) => r.status === 200 && !r.body.errors);
  const refused = results.filter((r) => r.status === 429);
  expect(served.length + refused.length).toBe(600);
  expect(served.length).toBeGreaterThanOrEqual(100);
  expect(served.length).toBeLessThanOrEqual(100 + refilled);
  for (const result of refused) expectRateLimited(result, 'user');
  expect(subgraph.hits() - hitsBefore).toBe(served.length);
  const refusals = await metric(url, 'flow_router_operations_refused_total', { reason: 'rate_limited' });
  expect(refusals).toBe(refused.length);
  expect(await metric(url, 'flow_router_rate_limited_total', { limit: 'user' })).toBe(refused.length);
});

it("shares a user's budget across HTTP POST, GET, SSE and WebSocket; refusals keep the socket open", async () => {
  const { url } = await router({ RATE_LIMIT_USER_POINTS_PER_MINUTE: '1' }); // 10 points
  const bearer = await token();
  const get = () =>
    fetch(`${url}?query=${encodeURIComponent(ME)}`, {
      headers: { authorization: `Bearer ${bearer}`, 'apollo-require-preflight': 'true' },
    });
  for (let i = 0; i < 4; i += 1) expect((await graphql(url, ME, { token: bearer })).status).toBe(200);
  for (let i = 0; i < 2; i += 1) expect((await get()).status).toBe(200);
  for (let i = 0; i < 2; i += 1) {
    const stream = await eventStream(url, ME, { token: bearer });
    expect(stream.status).toBe(200);
    expect(await stream.text()).toContain('event: complete');
  }
  const ws = openSocket(url, { authorization: `Bearer ${bearer}` });
  try {
    await ws.acked;
    for (const id of ['1', '2']) ws.send({ id, type: 'subscribe', payload: { query: ME } });
    await ws.until((m) => m.filter((x) => x.type === 'complete').length === 2);
    expect(ws.messages.filter((m) => m.type === 'next')).toHaveLength(2);

    // The budget is spent, whatever the transport.
    const hitsBefore = subgraph.hits();
    expectRateLimited(await graphql(url, ME, { token: bearer }), 'user');
    const refusedGet = await get();
    expect(refusedGet.status).toBe(429);
    expect(Number(refusedGet.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const refusedStream = await eventStream(url, ME, { token: bearer });
    expect(refusedStream.status).toBe(429); // before any stream starts
    expect(refusedStream.headers.get('content-type')).toMatch(/application\/json/);
    expect(Number(refusedStream.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const streamBody = (await refusedStream.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(streamBody.errors[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'user' });

    ws.send({ id: '3', type: 'subscribe', payload: { query: ME } });
    await ws.until((m) => m.some((x) => x.id === '3' && x.type === 'error'));
    const error = ws.messages.find((m) => m.id === '3')!.payload as { extensions: Record<string, unknown> }[];
    expect(error[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'user' });
    expect(error[0]?.extensions.http).toBeUndefined();
    ws.send({ type: 'ping' });
    await ws.until((m) => m.some((x) => x.type === 'pong')); // still open
    expect(subgraph.hits()).toBe(hitsBefore);
  } finally {
    ws.socket.close();
  }
});

it("shares an organization's budget among its users, and keeps other organizations apart", async () => {
  const { url } = await router({
    RATE_LIMIT_USER_POINTS_PER_MINUTE: '100',
    RATE_LIMIT_ORGANIZATION_POINTS_PER_MINUTE: '1', // 10 points
  });
  const [first, second, elsewhere] = [await token('org-1'), await token('org-1'), await token('org-2')];
  for (let i = 0; i < 6; i += 1) expect((await graphql(url, ME, { token: first })).status).toBe(200);
  for (let i = 0; i < 4; i += 1) {
    const stream = await eventStream(url, ME, { token: second });
    expect(stream.status).toBe(200);
    await stream.text();
  }
  expectRateLimited(await graphql(url, ME, { token: second }), 'organization');
  expectRateLimited(await graphql(url, ME, { token: first }), 'organization');
  expect((await graphql(url, ME, { token: elsewhere })).status).toBe(200);
});

it('gives anonymous callers a smaller budget per address, apart from signed-in callers', async () => {
  const { url } = await router({ RATE_LIMIT_ANONYMOUS_POINTS_PER_MINUTE: '1' }); // 10 points
  const from = (address: string, bearer?: string) =>
    graphql(url, '{ __typename }', { token: bearer, headers: { 'x-forwarded-for': address } });
  for (let i = 0; i < 10; i += 1) expect((await from('203.0.113.10')).status).toBe(200);
  expectRateLimited(await from('203.0.113.10'), 'address');
  expect((await from('203.0.113.11')).status).toBe(200);
  expect((await from('203.0.113.10', await token())).status).toBe(200);
});

it('raises the limits of trusted organizations and subnets (RATE_LIMIT_TRUSTED)', async () => {
  const { url } = await router({
    RATE_LIMIT_USER_POINTS_PER_MINUTE: '1',
    RATE_LIMIT_ANONYMOUS_POINTS_PER_MINUTE: '1',
    RATE_LIMIT_TRUSTED: 'org:org-2=3, 198.51.100.0/24=2',
  });
  const partner = await token('org-2');
  for (let i = 0; i < 30; i += 1) expect((await graphql(url, ME, { token: partner })).status).toBe(200);
  expectRateLimited(await graphql(url, ME, { token: partner }), 'user');
  const from = (address: string) =>
    graphql(url, '{ __typename }', { headers: { 'x-forwarded-for': address } });
  for (let i = 0; i < 20; i += 1) expect((await from('198.51.100.7')).status).toBe(200);
  expectRateLimited(await from('198.51.100.7'), 'address');
  const ordinary = await token('org-1');
  for (let i = 0; i < 10; i += 1) expect((await graphql(url, ME, { token: ordinary })).status).toBe(200);
  expectRateLimited(await graphql(url, ME, { token: ordinary }), 'user');
});

it('shares the budgets of two routers through Redis', async () => {
  const shared = { REDIS_URL, REDIS_KEY_PREFIX: PREFIX };
  const first = await router({ RATE_LIMIT_USER_POINTS_PER_MINUTE: '1' }, shared);
  const second = await router({ RATE_LIMIT_USER_POINTS_PER_MINUTE: '1' }, shared);
  const bearer = await token();
  const results = await Promise.all(
    Array.from({ length: 30 }, (_, i) => graphql((i % 2 ? first : second).url, ME, { token: bearer })),
  );
  expect(results.filter((r) => r.status === 200)).toHaveLength(10);
  for (const result of results.filter((r) => r.status !== 200)) expectRateLimited(result, 'user');
  const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 0 });
  try {
    expect(await admin.keys(`${PREFIX}points:user:*`)).toHaveLength(1);
  } finally {
    await admin.quit();
  }
});

it('keeps limiting, each router in its own process, while Redis is unreachable', async () => {
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as net.AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  const { url } = await router(
    { RATE_LIMIT_USER_POINTS_PER_MINUTE: '1' },
    { REDIS_URL: `redis://127.0.0.1:${port}` },
  );
  const bearer = await token();
  const started = Date.now();
  for (let i = 0; i < 10; i += 1) expect((await graphql(url, ME, { token: bearer })).status).toBe(200);
  expectRateLimited(await graphql(url, ME, { token: bearer }), 'user');
  expect(Date.now() - started).toBeLessThan(5000); // nobody waited on the dead Redis
  expect(await metric(url, 'flow_router_points_redis_up')).toBe(0);
  expect(await metric(url, 'flow_router_points_fallback_total', { reason: 'not_connected' })).toBe(11);
});

describe('the policy: cost becomes points', () => {
  const settings: RateLimitSettings = {
    userPerMinute: 2000,
    organizationPerMinute: 0,
    addressPerMinute: 0,
    anonymousPerMinute: 0,
    burstSeconds: 60,
    trusted: parseTrustedClients(''),
  };
  const viewer: Viewer = {
    userId: 'user-costly',
    organizationId: 'org-1',
    organizationKind: 'HOSPITAL',
    role: 'HOSPITAL_STAFF',
    scopes: [],
    tokenId: undefined,
  };
  const context = (operationCost?: number): RouterContext => ({
    requestId: randomUUID(),
    viewer,
    authorization: null,
    clientAddress: '127.0.0.1',
    logger: pino({ level: 'silent' }),
    noteOperationName: () => {},
    operationCost,
  });

  it('lets 16 of 40 copies of a 121-point operation through a 2,000-point budget', async () => {
    // 30 aliased compareOffers: about 121 subgraph calls each (4,840 for 40 copies, issue 10).
    const limits = createOperationRateLimits({ limiter: new MemoryPointsLimiter(), settings });
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, () =>
        limits.charge(context(121)).then(
          () => 'ok',
          (error: { extensions: { code: string } }) => error.extensions.code,
        ),
      ),
    );
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(16);
    expect(outcomes.filter((o) => o === 'RATE_LIMITED')).toHaveLength(24);
  });

  it('charges once per operation, 1 point when the cost is unknown, at most a full budget', async () => {
    const limits = createOperationRateLimits({ limiter: new MemoryPointsLimiter(), settings });
    const once = context();
    await limits.charge(once);
    await limits.charge(once); // what the router runs for it afterwards is not charged again
    expect(once.chargedPoints).toBe(1);
    // Dearer than the whole budget: runs only with a full budget, and empties it.
    const huge = context(1_000_000);
    await expect(limits.charge(huge)).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    const fresh = createOperationRateLimits({ limiter: new MemoryPointsLimiter(), settings });
    await fresh.charge(huge);
    expect(huge.chargedPoints).toBe(2000);
    await expect(fresh.charge(context(1))).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
  });
});

describe('partner client applications', () => {
  const settings: RateLimitSettings = {
    userPerMinute: 1000,
    clientPerMinute: 10,
    organizationPerMinute: 0,
    addressPerMinute: 0,
    anonymousPerMinute: 0,
    burstSeconds: 60,
    trusted: parseTrustedClients(''),
  };
  const partner = (id: string): Viewer => ({
    userId: id,
    organizationId: 'org-1',
    organizationKind: 'HOSPITAL',
    role: 'PARTNER',
    scopes: ['role:PARTNER', 'orders:read'],
    tokenId: undefined,
    clientApplication: { id, name: `erp-${id}` },
  });
  const context = (viewer: Viewer): RouterContext => ({
    requestId: randomUUID(),
    viewer,
    authorization: null,
    clientAddress: '127.0.0.1',
    logger: pino({ level: 'silent' }),
    noteOperationName: () => {},
    operationCost: 5,
  });

  it('each application spends its own client budget, not the user one', async () => {
    const limits = createOperationRateLimits({ limiter: new MemoryPointsLimiter(), settings });
    await limits.charge(context(partner('a')));
    await limits.charge(context(partner('a')));
    await expect(limits.charge(context(partner('a')))).rejects.toMatchObject({
      extensions: { code: 'RATE_LIMITED', limit: 'client' },
    });
    // Another application of the same organization is untouched.
    await expect(limits.charge(context(partner('b')))).resolves.toBeUndefined();
  });
});
