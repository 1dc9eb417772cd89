// Server-Sent Events against a router on the real supergraph (issue 10, item 5): a stream ends when
// its client goes away, a GET runs no mutation, and SSE applies Apollo's CSRF rule exactly as HTTP.
import type { LiveRouter } from './live-support';
import { eventStream, metric, rawSocket, startLiveRouter, until } from './live-support';
import {
  signToken,
  startRouterFixture,
  type RouterFixture,
  type SigningKey,
  type TestSubgraph,
} from './support';

let fixture: RouterFixture;
let key: SigningKey;
let subgraph: TestSubgraph;
let live: LiveRouter;
let url: string;

beforeAll(async () => {
  fixture = await startRouterFixture('live-sse-key', { production: false });
  ({ key, subgraph } = fixture);
  live = fixture.adopt(await startLiveRouter(fixture.usersEnv));
  url = live.router.url;
});

afterAll(() => fixture?.stop());

const NOTIFICATIONS = 'subscription { notificationAdded { id title } }';
const PREFLIGHTED = { 'apollo-require-preflight': 'true' };

it('removes POST and GET streams when their clients disconnect, and resolves no later event for them', async () => {
  const token = await signToken(key, { org: 'org-1' });
  const streams = [
    eventStream(url, { method: 'POST', query: NOTIFICATIONS, token }),
    eventStream(url, { method: 'GET', query: NOTIFICATIONS, token, headers: PREFLIGHTED }),
  ];
  expect(await Promise.all(streams.map((s) => s.status))).toEqual([200, 200]);
  await until('two live subscriptions', async () => (await metric(url, 'flow_router_subscriptions')) === 2);
  for (const stream of streams) stream.abort();
  await until('no live subscription', async () => (await metric(url, 'flow_router_subscriptions')) === 0);
  await until('org-1 unsubscribed', async () => (await live.listeners('org:org-1:notifications')) === 0);

  // A subscriber of another organization shows when events have been handled.
  const control = rawSocket(url, { authorization: `Bearer ${await signToken(key, { org: 'org-2' })}` });
  await control.acked;
  control.socket.send(
    JSON.stringify({ id: 'control', type: 'subscribe', payload: { query: NOTIFICATIONS } }),
  );
  await until('org-2 listening', async () => (await live.listeners('org:org-2:notifications')) > 0);
  const resolutions = await metric(url, 'flow_router_subscription_resolutions_total');
  await live.publish('org:org-1:notifications', { notificationId: 'n-gone' });
  await live.publish('org:org-2:notifications', { notificationId: 'n-control' });
  await control.waitFor('control', 1);
  expect(await metric(url, 'flow_router_subscription_resolutions_total')).toBe(resolutions + 1);
  expect(streams.flatMap((s) => s.results)).toEqual([]);
  control.socket.close();
});

async function get(query: string, headers: Record<string, string>, token?: string) {
  const target = new URL(url);
  target.searchParams.set('query', query);
  const response = await fetch(target, {
    headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  return {
    status: response.status,
    allow: response.headers.get('allow'),
    code: body.errors?.[0]?.extensions?.code,
  };
}

describe('GET runs no mutation and SSE applies the CSRF rule of HTTP', () => {
  const LOGIN = 'mutation { login(email: "a@example.test", password: "x") { accessToken } }';
  const LOGOUT = 'mutation { logout(refreshToken: "r") }';
  const SSE = { accept: 'text/event-stream' };

  it('refuses login and logout over GET SSE, with or without the preflight header, and calls no subgraph', async () => {
    const token = await signToken(key);
    const hits = subgraph.hits();
    for (const mutation of [LOGIN, LOGOUT]) {
      // No preflight header: blocked as a possible forgery before anything is read.
      expect(await get(mutation, SSE, token)).toEqual({ status: 400, allow: null, code: 'BAD_REQUEST' });
      // Preflighted: still a GET, which may not change anything.
      expect(await get(mutation, { ...SSE, ...PREFLIGHTED }, token)).toEqual({
        status: 405,
        allow: 'POST',
        code: 'BAD_REQUEST',
      });
    }
    expect(subgraph.hits()).toBe(hits);
    expect(await metric(url, 'flow_router_operations_refused_total', 'reason="csrf"')).toBe(2);
    expect(await metric(url, 'flow_router_operations_refused_total', 'reason="method"')).toBe(2);
  });

  it('answers as Apollo does for plain HTTP GET', async () => {
    const hits = subgraph.hits();
    expect(await get(LOGIN, {})).toEqual({ status: 400, allow: null, code: 'BAD_REQUEST' });
    expect(await get(LOGIN, PREFLIGHTED)).toEqual({ status: 405, allow: 'POST', code: 'BAD_REQUEST' });
    expect(subgraph.hits()).toBe(hits);
  });

  it('streams a preflighted GET query, and refuses one without the header (as HTTP)', async () => {
    const query = '{ __typename }';
    expect(await get(query, SSE)).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    expect(await get(query, {})).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    const stream = eventStream(url, { method: 'GET', query, headers: PREFLIGHTED });
    await stream.done;
    expect(stream.results).toMatchObject([{ data: { __typename: 'Query' } }]);
  });

  it('refuses a "simple" cross-site POST (text/plain) and lets a JSON POST stream', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { ...SSE, 'content-type': 'text/plain' },
      body: JSON.stringify({ query: LOGIN }),
    });
    expect(response.status).toBe(400);
    const stream = eventStream(url, { method: 'POST', query: '{ __typename }' });
    await stream.done;
    expect(stream.results).toMatchObject([{ data: { __typename: 'Query' } }]);
  });
});
