// Caps on live connections (issue 10, item 3): a real router on the full supergraph (live events
// through Redis, REDIS_URL, default 127.0.0.1:6379) in front of a real users subgraph. The
// subscriptions are `notificationAdded`, which needs no subgraph to start.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { RunningRouter } from '../src/router';
import {
  repositoryRoot,
  signToken,
  startRouterFixture,
  startTestRouter,
  type RouterFixture,
  type SigningKey,
} from './support';
import { eventStream, eventually, metric, openSocket, type TestSocket } from './usage-support';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SUBSCRIBE = 'subscription { notificationAdded { id } }';

let fixture: RouterFixture;
let key: SigningKey;
const routers: RunningRouter[] = [];
const sockets: TestSocket[] = [];
const aborts: AbortController[] = [];

beforeAll(async () => {
  fixture = await startRouterFixture('caps-key', { production: true });
  key = fixture.key;
});

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.socket.terminate();
  for (const abort of aborts.splice(0)) abort.abort();
  await Promise.all(routers.splice(0).map((router) => router.stop()));
});

afterAll(() => fixture?.stop());

async function router(caps: Record<string, string> = {}) {
  const running = await startTestRouter({
    FLOW_ENV: 'production',
    SUPERGRAPH_PATH: join(repositoryRoot, 'schema', 'supergraph.graphql'),
    ...fixture.usersEnv,
    REDIS_URL,
    REDIS_KEY_PREFIX: `flow-test:caps:${randomUUID()}:`,
    TRUST_PROXY: 'loopback',
    ...caps,
  });
  routers.push(running);
  return running;
}

const token = () => signToken(key, { sub: `user-${randomUUID()}` });
const live = (url: string, kind: string) => metric(url, 'flow_router_live_connections', { kind });

function socket(url: string, init: Record<string, unknown> = {}, headers?: Record<string, string>) {
  const ws = openSocket(url, init, headers);
  sockets.push(ws);
  return ws;
}

function stream(url: string, bearer: string) {
  const abort = new AbortController();
  aborts.push(abort);
  return { response: eventStream(url, SUBSCRIBE, { token: bearer, signal: abort.signal }), abort };
}

const errorsOf = (ws: TestSocket): Array<{ id?: string } & Record<string, unknown>> =>
  ws.messages
    .filter((m) => m.type === 'error')
    .map((m) => ({ id: m.id, ...(m.payload as { extensions: Record<string, unknown> }[])[0]!.extensions }));

it('caps 2,000 subscriptions on one socket (default 200), keeps the socket open, and releases on complete and close', async () => {
  const { url } = await router();
  const ws = socket(url, { authorization: `Bearer ${await token()}` });
  await ws.acked;
  for (let i = 0; i < 2000; i += 1)
    ws.send({ id: `s${i}`, type: 'subscribe', payload: { query: SUBSCRIBE } });
  await ws.until((m) => m.filter((x) => x.type === 'error').length === 1800);
  const refused = errorsOf(ws);
  expect(
    refused.every((e) => e.code === 'TOO_MANY_SUBSCRIPTIONS' && e.cap === 'subscriptions_per_socket'),
  ).toBe(true);
  expect(refused.every((e) => e.limit === 200)).toBe(true);
  expect(await live(url, 'subscriptions')).toBe(200);
  expect(await metric(url, 'flow_router_caps_refused_total', { cap: 'subscriptions_per_socket' })).toBe(1800);
  expect(await metric(url, 'flow_router_operations_refused_total', { reason: 'capped' })).toBe(1800);

  // Completing one makes room for another, on the same open socket.
  const accepted = Array.from({ length: 2000 }, (_, i) => `s${i}`).find(
    (id) => !refused.some((e) => e.id === id),
  )!;
  ws.send({ id: accepted, type: 'complete' });
  await eventually(
    () => live(url, 'subscriptions'),
    (n) => n === 199,
  );
  ws.send({ id: 'again', type: 'subscribe', payload: { query: SUBSCRIBE } });
  await eventually(
    () => live(url, 'subscriptions'),
    (n) => n === 200,
  );
  expect(errorsOf(ws).some((e) => e.id === 'again')).toBe(false);

  ws.socket.close();
  await eventually(
    () => live(url, 'subscriptions'),
    (n) => n === 0,
  );
  expect(await live(url, 'user_sockets')).toBe(0);
});

it('caps 300 distinct subscription documents of one user at 25 (each is resolved apart on every event), while copies of a live one join it', async () => {
  const { url } = await router();
  const bearer = await token();
  const first = socket(url, { authorization: `Bearer ${bearer}` });
  const second = socket(url, { authorization: `Bearer ${bearer}` });
  await Promise.all([first.acked, second.acked]);
  const documentOf = (i: number) => `subscription Watch${i} { notificationAdded { id } }`;
  for (let i = 0; i < 300; i += 1)
    (i % 2 ? second : first).send({ id: `d${i}`, type: 'subscribe', payload: { query: documentOf(i) } });
  await eventually(
    async () => errorsOf(first).length + errorsOf(second).length,
    (n) => n === 275,
  );
  const refused = [...errorsOf(first), ...errorsOf(second)];
  expect(
    refused.every(
      (e) =>
        e.code === 'TOO_MANY_SUBSCRIPTIONS' && e.cap === 'subscription_documents_per_user' && e.limit === 25,
    ),
  ).toBe(true);
  expect(await live(url, 'subscriptions')).toBe(25);

  // Another subscription to a document already live is admitted: it shares that resolution.
  const admitted = Array.from({ length: 300 }, (_, i) => i).find(
    (i) => !refused.some((e) => e.id === `d${i}`),
  )!;
  second.send({ id: 'copy', type: 'subscribe', payload: { query: documentOf(admitted) } });
  await eventually(
    () => live(url, 'subscriptions'),
    (n) => n === 26,
  );
  expect(errorsOf(second).some((e) => e.id === 'copy')).toBe(false);

  // Closing the sockets frees every document.
  first.socket.close();
  second.socket.close();
  await eventually(
    () => live(url, 'subscriptions'),
    (n) => n === 0,
  );
  const fresh = socket(url, { authorization: `Bearer ${bearer}` });
  await fresh.acked;
  fresh.send({ id: 'new', type: 'subscribe', payload: { query: documentOf(299) } });
  await eventually(
    () => live(url, 'subscriptions'),
    (n) => n === 1,
  );
});

it('caps 300 SSE streams of one user (default 32) with 429 TOO_MANY_STREAMS, and releases them on close', async () => {
  const { url } = await router();
  const bearer = await token();
  const streams = Array.from({ length: 300 }, () => stream(url, bearer));
  const responses = await Promise.all(streams.map((s) => s.response));
  const open = responses.filter((r) => r.status === 200);
  const refused = responses.filter((r) => r.status === 429);
  expect(open).toHaveLength(32);
  expect(refused).toHaveLength(268);
  const body = (await refused[0]!.json()) as { errors: { extensions: Record<string, unknown> }[] };
  expect(body.errors[0]?.extensions).toMatchObject({
    code: 'TOO_MANY_STREAMS',
    cap: 'streams_per_user',
    limit: 32,
  });
  expect(await live(url, 'sse_streams')).toBe(32);

  for (const s of streams) s.abort.abort();
  await eventually(
    () => live(url, 'sse_streams'),
    (n) => n === 0,
  );
  expect(await live(url, 'subscriptions')).toBe(0);
  const again = stream(url, bearer);
  expect((await again.response).status).toBe(200);
});

it("counts a user's subscriptions across sockets and SSE streams", async () => {
  const { url } = await router({ MAX_SUBSCRIPTIONS_PER_USER: '5' });
  const bearer = await token();
  const first = socket(url, { authorization: `Bearer ${bearer}` });
  const second = socket(url, { authorization: `Bearer ${bearer}` });
  await Promise.all([first.acked, second.acked]);
  for (const id of ['a', 'b', 'c']) first.send({ id, type: 'subscribe', payload: { query: SUBSCRIBE } });
  expect((await stream(url, bearer).response).status).toBe(200);
  second.send({ id: 'd', type: 'subscribe', payload: { query: SUBSCRIBE } });
  await eventually(
    () => live(url, 'subscriptions'),
    (n) => n === 5,
  );

  second.send({ id: 'e', type: 'subscribe', payload: { query: SUBSCRIBE } });
  await second.until((m) => m.some((x) => x.id === 'e' && x.type === 'error'));
  expect(errorsOf(second)).toEqual([
    { id: 'e', code: 'TOO_MANY_SUBSCRIPTIONS', cap: 'subscriptions_per_user', limit: 5 },
  ]);
  const refusedStream = await stream(url, bearer).response;
  expect(refusedStream.status).toBe(429);
  expect(await refusedStream.json()).toMatchObject({
    errors: [{ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }],
  });

  first.socket.close(); // its three subscriptions are released
  await eventually(
    () => live(url, 'subscriptions'),
    (n) => n === 2,
  );
  second.send({ id: 'f', type: 'subscribe', payload: { query: SUBSCRIBE } });
  await eventually(
    () => live(url, 'subscriptions'),
    (n) => n === 3,
  );
  expect(errorsOf(second).map((e) => e.id)).toEqual(['e']);
});

it('closes a socket over the per-user cap with 4430 after connection_init; closing one lets a new one in', async () => {
  const { url } = await router({ MAX_SOCKETS_PER_USER: '3' });
  const init = { authorization: `Bearer ${await token()}` };
  const held = [socket(url, init), socket(url, init), socket(url, init)];
  await Promise.all(held.map((ws) => ws.acked));
  const extra = socket(url, init);
  expect(await extra.closed).toEqual({ code: 4430, reason: 'Too many connections' });
  expect(extra.messages.some((m) => m.type === 'connection_ack')).toBe(false);
  expect(await live(url, 'user_sockets')).toBe(3);
  expect(await metric(url, 'flow_router_caps_refused_total', { cap: 'sockets_per_user' })).toBe(1);

  held[0]!.socket.close();
  await eventually(
    () => live(url, 'user_sockets'),
    (n) => n === 2,
  );
  await socket(url, init).acked;
});

it('caps anonymous sockets per address, apart from signed-in ones', async () => {
  const { url } = await router({ MAX_ANONYMOUS_SOCKETS_PER_ADDRESS: '2' });
  await Promise.all([socket(url).acked, socket(url).acked]);
  expect((await socket(url).closed).code).toBe(4430);
  await socket(url, { authorization: `Bearer ${await token()}` }).acked;
  // Behind a trusted proxy (TRUST_PROXY=loopback here) the forwarded address counts, as on HTTP.
  await socket(url, {}, { 'x-forwarded-for': '203.0.113.50' }).acked;
  expect(await live(url, 'anonymous_sockets')).toBe(3);
});

it('charges each subscription start against the rate limits, over WebSocket and SSE', async () => {
  const { url } = await router({ RATE_LIMIT_USER_POINTS_PER_MINUTE: '1', RATE_LIMIT_BURST_SECONDS: '600' }); // 10
  const bearer = await token();
  const ws = socket(url, { authorization: `Bearer ${bearer}` });
  await ws.acked;
  for (let i = 0; i < 9; i += 1) ws.send({ id: `s${i}`, type: 'subscribe', payload: { query: SUBSCRIBE } });
  await eventually(
    () => live(url, 'subscriptions'),
    (n) => n === 9,
  );
  expect((await stream(url, bearer).response).status).toBe(200); // the tenth point
  const refused = await stream(url, bearer).response;
  expect(refused.status).toBe(429);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(await refused.json()).toMatchObject({
    errors: [{ extensions: { code: 'RATE_LIMITED', limit: 'user' } }],
  });
  ws.send({ id: 'over', type: 'subscribe', payload: { query: SUBSCRIBE } });
  await ws.until((m) => m.some((x) => x.id === 'over' && x.type === 'error'));
  expect(errorsOf(ws)).toEqual([{ id: 'over', code: 'RATE_LIMITED', limit: 'user', retryAfterSeconds: 60 }]);
  expect(await live(url, 'subscriptions')).toBe(10);
});
