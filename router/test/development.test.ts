// The router in development mode: the explorer (GraphiQL served offline), introspection, readable errors; telemetry off.
import type { RunningRouter } from '../src/router';
import {
  codeOf,
  graphql,
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
let telemetryAfterStart: string | undefined;

beforeAll(async () => {
  fixture = await startRouterFixture('dev-key', { production: false });
  ({ key, subgraph } = fixture);
  // jest.setup.js sets it for every test; prove that the router sets it by itself.
  delete process.env.APOLLO_TELEMETRY_DISABLED;
  router = await fixture.startRouter({ FLOW_ENV: 'development', CORS_ORIGINS: 'https://app.flow.test' });
  telemetryAfterStart = process.env.APOLLO_TELEMETRY_DISABLED;
});

afterAll(async () => {
  process.env.APOLLO_TELEMETRY_DISABLED = '1';
  await fixture?.stop();
});

it('disables Apollo telemetry (APOLLO_TELEMETRY_DISABLED=1) by itself', () => {
  expect(telemetryAfterStart).toBe('1');
});

it('serves GraphiQL on GET /graphql for browsers, from its own assets only', async () => {
  const response = await fetch(router.url, {
    headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/html');
  // The browser may load from and connect to this origin only (ws: to it included): no CDN,
  // fonts or telemetry from elsewhere. test/explorer.test.ts counts the requests a browser makes.
  const csp = response.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self';");
  expect(csp).toContain("connect-src 'self';");
  expect(csp).not.toMatch(/https?:|\*/);
  const html = await response.text();
  expect(html).toContain('Flow GraphQL explorer');
  expect(html).not.toMatch(/https?:\/\//i);
  expect(html).not.toMatch(/<script>|<style>/); // nothing inline: script-src stays 'self'
  const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  expect(assets).toEqual([
    expect.stringMatching(/^\/graphql\/explorer\/graphiql-[0-9a-f]{16}\.css$/),
    expect.stringMatching(/^\/graphql\/explorer\/graphiql-[0-9a-f]{16}\.js$/),
  ]);
  for (const asset of assets) {
    const served = await fetch(new URL(asset, router.url));
    expect(served.status).toBe(200);
    expect(served.headers.get('cache-control')).toContain('immutable');
    const text = await served.text();
    if (asset.endsWith('.css')) {
      expect(served.headers.get('content-type')).toContain('text/css');
      // GraphiQL's fonts and icons are inlined; a stylesheet could otherwise load from elsewhere.
      expect(text).not.toMatch(/@import/);
      const urls = [...text.matchAll(/url\(\s*["']?([^"')]*)/g)].map((m) => m[1]!);
      expect(urls.length).toBeGreaterThan(0);
      expect(urls.filter((url) => !url.startsWith('data:'))).toEqual([]);
    } else {
      expect(served.headers.get('content-type')).toContain('javascript');
      expect(text).toContain('graphiql');
      expect(text).toContain('connection_init'); // graphql-ws for subscriptions
    }
  }
  const missing = await fetch(new URL('/graphql/explorer/graphiql-0000000000000000.js', router.url));
  expect(missing.status).toBe(404);
}, 120_000);

it('answers API clients on GET /graphql as before (no page for JSON or for an operation)', async () => {
  const json = await fetch(router.url, { headers: { accept: 'application/json' } });
  expect(json.headers.get('content-type') ?? '').not.toContain('text/html');
  const operation = await fetch(`${router.url}?query=${encodeURIComponent('{ __typename }')}`, {
    headers: { 'apollo-require-preflight': 'true' },
  });
  expect(await operation.json()).toMatchObject({ data: { __typename: 'Query' } });
});

it('allows introspection', async () => {
  const result = await graphql(router.url, '{ __schema { queryType { name } } }');
  expect(result.status).toBe(200);
  expect(result.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
});

it('does not expose the supergraph machinery (join__, link__) through introspection', async () => {
  const result = await graphql(router.url, '{ __schema { types { name } directives { name } } }');
  const body = result.body.data as {
    __schema: { types: { name: string }[]; directives: { name: string }[] };
  };
  expect(body.__schema.types.map((t) => t.name).filter((name) => /^(join|link)__/.test(name))).toEqual([]);
  expect(body.__schema.directives.map((d) => d.name)).not.toContain('join__field');
});

it('answers CORS preflights for configured origins only', async () => {
  const preflight = (origin: string) =>
    fetch(router.url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
  const allowed = await preflight('https://app.flow.test');
  expect([allowed.status, await allowed.text()]).toEqual([204, '']);
  expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.flow.test');
  expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
  const other = await preflight('https://evil.example');
  expect(other.headers.get('access-control-allow-origin')).toBeNull();
});

it('answers 503 SERVICE_UNAVAILABLE (not 401) when the signing keys cannot be fetched', async () => {
  const keyless = await startTestRouter({
    FLOW_ENV: 'development',
    USERS_URL: subgraph.url,
    USERS_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
  });
  try {
    const before = subgraph.hits();
    const result = await graphql(keyless.url, '{ me { id } }', { token: await signToken(key) });
    expect(result.status).toBe(503);
    expect(codeOf(result)).toBe('SERVICE_UNAVAILABLE');
    expect(result.headers.get('retry-after')).toBe('5');
    expect(subgraph.hits()).toBe(before);
    // Anonymous requests do not need the keys.
    expect((await graphql(keyless.url, '{ me { id } }')).body.data).toEqual({ me: null });
    const jwks = await fetch(keyless.url.replace('/graphql', '/.well-known/jwks.json'));
    expect(jwks.status).toBe(503);
  } finally {
    await keyless.stop();
  }
});
