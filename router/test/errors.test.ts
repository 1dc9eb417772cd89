// Failures: a production router masks what a (development, leaky) subgraph lets out, reports not
// ready when the subgraph is down, and finishes in-flight requests when it stops.
import type { RunningRouter } from '../src/router';
import {
  codeOf,
  graphql,
  INTERNAL_DETAIL,
  signToken,
  startRouterFixture,
  startTestRouter,
  type RouterFixture,
  type SigningKey,
  type TestSubgraph,
} from './support';

let fixture: RouterFixture;
let key: SigningKey;
let subgraph: TestSubgraph;
let router: RunningRouter;

beforeAll(async () => {
  // A development subgraph exposes internal messages and stack traces: the router must not.
  fixture = await startRouterFixture('errors-key', { production: false });
  ({ key, subgraph } = fixture);
  router = await fixture.startRouter({ FLOW_ENV: 'production' });
});

afterAll(() => fixture?.stop());

it('masks an internal subgraph error as INTERNAL_SERVER_ERROR in production', async () => {
  const token = await signToken(key);
  // Straight from the subgraph, the detail is visible (development mode)...
  const direct = await graphql(subgraph.url, '{ organization(id: "boom") { id } }', { token });
  expect(direct.text).toContain('db-primary.internal');

  // ...through the production router it is not.
  const result = await graphql(router.url, '{ organization(id: "boom") { id name } }', { token });
  expect(result.status).toBe(200);
  expect(result.body.data).toEqual({ organization: null });
  expect(result.body.errors).toEqual([
    {
      message: 'Internal server error.',
      path: ['organization'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    },
  ]);
  expect(result.text).not.toContain('db-primary');
  expect(result.text).not.toContain(INTERNAL_DETAIL);
  expect(result.text).not.toContain('stacktrace');
  expect(result.text).not.toContain('users'); // no service name either
});

it('finishes an in-flight request when stopping, then refuses new connections', async () => {
  const token = await signToken(key);
  const other = await startTestRouter({ ...fixture.usersEnv, FLOW_ENV: 'production' });
  const inFlight = graphql(other.url, '{ organization(id: "slow") { id } }', { token });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const stopping = other.stop();
  const result = await inFlight;
  expect(result.status).toBe(200);
  expect(result.body.data).toEqual({ organization: { id: 'org-1' } });
  await stopping;
  await expect(fetch(other.url.replace('/graphql', '/health/live'))).rejects.toThrow();
});

it('reports not ready (503) when the subgraph is down, and names it without leaking the connection error', async () => {
  const base = router.url.replace('/graphql', '');
  expect((await fetch(`${base}/health/ready`)).status).toBe(200);

  await subgraph.stop();

  const ready = await fetch(`${base}/health/ready`);
  expect(ready.status).toBe(503);
  expect(await ready.json()).toMatchObject({ status: 'unavailable', checks: { users: { ok: false } } });
  expect((await fetch(`${base}/health/live`)).status).toBe(200);

  const result = await graphql(router.url, '{ me { id } }');
  expect(codeOf(result)).toBe('SERVICE_UNAVAILABLE');
  expect(result.body).toEqual({
    data: { me: null },
    errors: [
      {
        message: 'The users service is unavailable right now. Try again shortly.',
        path: ['me'],
        extensions: { code: 'SERVICE_UNAVAILABLE', service: 'users' },
      },
    ],
    extensions: { cost: { estimated: 1, maximum: 2500 } },
  });
  expect(result.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|fetch failed|http:/);
});
