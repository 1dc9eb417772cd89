// The router refuses a suspended organization's tokens (403 FORBIDDEN, before parsing and
// planning: the subgraph is never called) and closes its sockets with 4403, from the list users
// serves (here the test subgraph's GET /organizations/suspended). End to end: test/suspension.test.ts.
import WebSocket from 'ws';
import type { RunningRouter } from '../src/router';
import { graphql, signToken, startRouterFixture, startTestRouter, type RouterFixture } from './support';

let fixture: RouterFixture;
let router: RunningRouter;

beforeAll(async () => {
  fixture = await startRouterFixture('suspension-key', { production: true });
  router = await fixture.startRouter({ FLOW_ENV: 'production', SUSPENSION_REFRESH_MS: '100' });
});
afterAll(() => fixture?.stop());

async function until(condition: () => Promise<boolean> | boolean, what: string) {
  const deadline = Date.now() + 30_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function socket(token: string) {
  const ws = new WebSocket(router.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  let ack!: () => void;
  const acked = new Promise<void>((resolve) => (ack = resolve));
  ws.on('open', () =>
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })),
  );
  ws.on('message', (data) => {
    if ((JSON.parse(data.toString()) as { type: string }).type === 'connection_ack') ack();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { ws, acked, closed };
}

it('refuses the tokens of a suspended organization, closes its sockets, and lets it back when reinstated', async () => {
  const token = await signToken(fixture.key, { org: 'org-1' });
  const other = await signToken(fixture.key, { org: 'org-2' });
  expect((await graphql(router.url, '{ me { id } }', { token })).status).toBe(200);
  const live = socket(token);
  const bystander = socket(other);
  await Promise.all([live.acked, bystander.acked]);

  fixture.subgraph.suspended.push('org-1');
  await until(async () => (await graphql(router.url, '{ me { id } }', { token })).status === 403, '403');
  const hitsBefore = fixture.subgraph.hits();
  const refused = await graphql(router.url, '{ me { id } }', { token });
  expect(refused.body).toEqual({
    errors: [
      {
        message: 'Your organization is suspended. Contact Flow support.',
        extensions: { code: 'FORBIDDEN', reason: 'ORGANIZATION_SUSPENDED' },
      },
    ],
  });
  // Refused before planning: no call reached the subgraph for it.
  expect(fixture.subgraph.hits()).toBe(hitsBefore);
  expect(await live.closed).toEqual({ code: 4403, reason: 'Organization suspended' });
  expect(await socket(token).closed).toEqual({ code: 4403, reason: 'Organization suspended' });
  // Another organization is untouched.
  expect(bystander.ws.readyState).toBe(WebSocket.OPEN);
  expect((await graphql(router.url, '{ me { id } }', { token: other })).status).toBe(200);
  bystander.ws.close();

  fixture.subgraph.suspended.splice(0);
  await until(
    async () => (await graphql(router.url, '{ me { id } }', { token })).status === 200,
    'reinstated',
  );
});

it('in production, refuses every token with 503 until it has loaded the list once', async () => {
  const blind = await startTestRouter({
    ...fixture.usersEnv,
    FLOW_ENV: 'production',
    // Nothing listens there: the list cannot load.
    USERS_URL: 'http://127.0.0.1:9/graphql',
  });
  try {
    const token = await signToken(fixture.key);
    const result = await graphql(blind.url, '{ me { id } }', { token });
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ errors: [{ extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
    // Anonymous requests (sign-in) still pass.
    expect((await graphql(blind.url, '{ __typename }')).status).toBe(200);
  } finally {
    await blind.stop();
  }
});
