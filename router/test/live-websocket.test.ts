// graphql-ws against a router on the real supergraph (issue 10, items 2 and 4): frames held to the
// HTTP body limit, the parsed-document cache bounded by bytes and filled only for signed-in
// viewers, results with errors delivered in the protocol's shape without closing the socket.
import type { LiveRouter } from './live-support';
import { metric, rawSocket, startLiveRouter, until } from './live-support';
import { signToken, startRouterFixture, type RouterFixture, type SigningKey } from './support';

const BODY_LIMIT = 262_144;
const CACHE_LIMIT = 1_000_000;

let fixture: RouterFixture;
let key: SigningKey;
let live: LiveRouter;
let url: string;

beforeAll(async () => {
  fixture = await startRouterFixture('live-ws-key', { production: false });
  key = fixture.key;
  live = fixture.adopt(
    await startLiveRouter({
      ...fixture.usersEnv,
      MAX_REQUEST_BODY_BYTES: String(BODY_LIMIT),
      SUBSCRIPTION_CACHE_MAX_BYTES: String(CACHE_LIMIT),
      LOGIN_RATE_LIMIT_PER_MINUTE: '1',
    }),
  );
  url = live.router.url;
});

afterAll(() => fixture?.stop());

const signedIn = async (org = 'org-1') => ({ authorization: `Bearer ${await signToken(key, { org })}` });

/** A subscribe message of exactly `bytes` bytes whose query is `{ __typename }` padded with spaces. */
function subscribeFrame(bytes: number): string {
  const frame = (padding: number) =>
    JSON.stringify({
      id: 'big',
      type: 'subscribe',
      payload: { query: `{ __typename ${' '.repeat(padding)}}` },
    });
  return frame(bytes - frame(0).length);
}

describe('frames and the document cache (item 2)', () => {
  it('closes with 1009 on three anonymous 32 MB frames and on frames just over the body limit, caching nothing', async () => {
    const refusedBefore = await metric(
      url,
      'flow_router_operations_refused_total',
      'reason="payload_too_large"',
    );
    const frames = [
      ...Array.from({ length: 3 }, () => 'x'.repeat(32 * 1024 * 1024)),
      subscribeFrame(BODY_LIMIT + 1),
    ];
    for (const frame of frames) {
      const ws = rawSocket(url);
      await ws.acked;
      ws.socket.send(frame);
      expect((await ws.closed).code).toBe(1009);
    }
    expect(await metric(url, 'flow_router_operations_refused_total', 'reason="payload_too_large"')).toBe(
      refusedBefore + frames.length,
    );
    // Nothing of them was kept: the cache is empty.
    expect(await metric(url, 'flow_router_document_cache_bytes')).toBe(0);
  });

  it('answers a frame of exactly the body limit, and parses anonymous documents without caching them', async () => {
    const ws = rawSocket(url);
    await ws.acked;
    ws.socket.send(subscribeFrame(BODY_LIMIT));
    await until('the answer', () => ws.messages.some((m) => m.id === 'big' && m.type === 'complete'));
    expect(ws.messages.find((m) => m.id === 'big' && m.type === 'next')).toMatchObject({
      payload: { data: { __typename: 'Query' } },
    });
    for (let i = 0; i < 20; i += 1) {
      const answer = await ws.operation(`anon-${i}`, { query: `{ a${i}: __typename }` });
      expect(answer[0]).toMatchObject({ type: 'next', payload: { data: { [`a${i}`]: 'Query' } } });
    }
    expect(await metric(url, 'flow_router_document_cache_bytes')).toBe(0);
    expect(await metric(url, 'flow_router_document_cache_entries')).toBe(0);
    ws.socket.close();
  });

  it('caches signed-in viewers’ documents, never more than SUBSCRIPTION_CACHE_MAX_BYTES', async () => {
    const ws = rawSocket(url, await signedIn());
    const query = (i: number) => `{ me { id } padding${i}: __typename ${' '.repeat(1000)} }`;
    // About 100 KB (estimated) each: 40 of them are four times the bound.
    for (let i = 0; i < 40; i += 1) await ws.operation(`doc-${i}`, { query: query(i) });
    const bytes = await metric(url, 'flow_router_document_cache_bytes');
    const entries = await metric(url, 'flow_router_document_cache_entries');
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(CACHE_LIMIT);
    expect(entries).toBeLessThan(40);
    ws.socket.close();
  });
});

describe('results with errors keep the socket open (item 4)', () => {
  it('returns a field error (FORBIDDEN), a request error (BAD_USER_INPUT) and RATE_LIMITED as next + complete', async () => {
    const ws = rawSocket(url, await signedIn());
    const forbidden = await ws.operation('forbidden', { query: '{ organization(id: "secret") { id } }' });
    expect(forbidden).toMatchObject([
      {
        id: 'forbidden',
        type: 'next',
        payload: {
          data: { organization: null },
          errors: [
            expect.objectContaining({
              path: ['organization'],
              extensions: expect.objectContaining({ code: 'FORBIDDEN' }),
            }),
          ],
        },
      },
      { id: 'forbidden', type: 'complete' },
    ]);

    const badInput = await ws.operation('bad-input', {
      query: 'query ($id: ID!) { organization(id: $id) { id } }',
      variables: { id: { not: 'an id' } },
    });
    expect(badInput.map((m) => m.type)).toEqual(['next', 'complete']);
    expect(badInput[0]!.payload).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });

    const login = { query: 'mutation { login(email: "a@example.test", password: "x") { accessToken } }' };
    await ws.operation('login-1', login); // LOGIN_RATE_LIMIT_PER_MINUTE=1: the second is refused
    const limited = await ws.operation('login-2', login);
    expect(limited.map((m) => m.type)).toEqual(['next', 'complete']);
    expect(limited[0]!.payload).toMatchObject({ errors: [{ extensions: { code: 'RATE_LIMITED' } }] });

    // Still open and usable.
    expect(await ws.operation('after', { query: '{ __typename }' })).toMatchObject([
      { id: 'after', type: 'next', payload: { data: { __typename: 'Query' } } },
      { id: 'after', type: 'complete' },
    ]);
    expect(ws.socket.readyState).toBe(ws.socket.OPEN);
    ws.socket.close();
  });

  it('delivers a subscription event with a field error as next with errors, and the subscription goes on', async () => {
    const ws = rawSocket(url, await signedIn());
    await ws.acked;
    ws.socket.send(
      JSON.stringify({
        id: 'live',
        type: 'subscribe',
        payload: { query: 'subscription { notificationAdded { id title } }' },
      }),
    );
    const topic = 'org:org-1:notifications';
    await until('the router listening', async () => (await live.listeners(topic)) > 0);
    // The notifications subgraph is unreachable: every event resolves to a field error.
    await live.publish(topic, { notificationId: 'n-1' });
    const [first] = await ws.waitFor('live', 1);
    expect(first).toMatchObject({
      type: 'next',
      payload: { errors: [expect.objectContaining({ message: expect.any(String) })] },
    });
    await live.publish(topic, { notificationId: 'n-2' });
    const events = await ws.waitFor('live', 2);
    expect(events.map((m) => m.type)).toEqual(['next', 'next']);
    expect(ws.socket.readyState).toBe(ws.socket.OPEN);
    expect(await ws.operation('query', { query: '{ __typename }' })).toHaveLength(2);
    ws.socket.send(JSON.stringify({ id: 'live', type: 'complete' }));
    await until('the subscription gone', async () => (await metric(url, 'flow_router_subscriptions')) === 0);
    ws.socket.close();
  });
});
