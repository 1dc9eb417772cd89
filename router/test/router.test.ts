// The router in production mode in front of a real users subgraph (production: unsigned calls are
// refused), with tokens signed by keys generated here and published by a JWKS server.
import { randomUUID } from 'node:crypto';
import { SignJWT, base64url } from 'jose';
import { REQUEST_ID_HEADER, SIGNATURE_HEADER, signRequest, TIMESTAMP_HEADER } from '@flow/core';
import type { RunningRouter } from '../src/router';
import {
  codeOf,
  graphql,
  memoryLogger,
  SECRET,
  newSigningKey,
  signToken,
  startRouterFixture,
  startTestRouter,
  type KeyServer,
  type RouterFixture,
  type SigningKey,
  type TestSubgraph,
} from './support';

let fixture: RouterFixture;
let key: SigningKey;
let keyServer: KeyServer;
let subgraph: TestSubgraph;
let router: RunningRouter;
let log: ReturnType<typeof memoryLogger>;

beforeAll(async () => {
  fixture = await startRouterFixture('key-2026-01', { production: true });
  ({ key, keyServer, subgraph } = fixture);
  log = memoryLogger();
  router = await fixture.startRouter({ FLOW_ENV: 'production', MAX_REQUEST_BODY_BYTES: '20000' }, log.logger);
});

afterAll(() => fixture?.stop());

/** Runs `action` and asserts that the subgraph received no request meanwhile. */
async function withoutSubgraphCall<T>(action: () => Promise<T>): Promise<T> {
  const before = subgraph.hits();
  const result = await action();
  expect(subgraph.hits()).toBe(before);
  return result;
}

describe('anonymous and authenticated queries', () => {
  it('serves an anonymous query (me is null)', async () => {
    const result = await graphql(router.url, '{ me { id } }');
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      data: { me: null },
      extensions: { cost: { estimated: 1, maximum: 2_500 } },
    });
    expect(subgraph.calls.at(-1)?.viewer).toBeNull();
  });

  it('forwards a valid token: the subgraph sees the same viewer', async () => {
    const token = await signToken(key, { sub: 'user-42', role: 'HOSPITAL_ADMIN', org: 'org-1' });
    const result = await graphql(router.url, '{ me { id role organization { id name } } }', { token });
    expect(result.status).toBe(200);
    expect(result.body.data).toEqual({
      me: { id: 'user-42', role: 'HOSPITAL_ADMIN', organization: { id: 'org-1', name: 'St. Mary Hospital' } },
    });
    const seen = subgraph.calls.at(-1);
    expect(seen?.viewer).toMatchObject({
      userId: 'user-42',
      organizationId: 'org-1',
      role: 'HOSPITAL_ADMIN',
    });
    expect(seen?.viewer?.scopes).toEqual(expect.arrayContaining(['role:HOSPITAL_ADMIN', 'org:admin']));
    expect(seen?.clientAddress).toMatch(/127\.0\.0\.1/);
  });
});

describe('bad tokens are refused with 401 before any subgraph is called', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: [string, () => Promise<string>][] = [
    ['expired', () => signToken(key, { issuedAt: now() - 3600, expiresIn: -600 })],
    ['wrong issuer', () => signToken(key, { issuer: 'urn:evil:issuer' })],
    ['wrong audience', () => signToken(key, { audience: 'urn:some:other-api' })],
    [
      'alg none',
      async () => {
        const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT', kid: key.kid }));
        const payload = base64url.encode(
          JSON.stringify({
            sub: 'user-1',
            org: 'org-1',
            orgKind: 'HOSPITAL',
            role: 'PLATFORM_ADMIN',
            iss: 'urn:flow:users',
            aud: 'urn:flow:api',
            iat: now(),
            exp: now() + 600,
          }),
        );
        return `${header}.${payload}.`;
      },
    ],
    [
      'HS256 (public key used as an HMAC secret)',
      () =>
        new SignJWT({ org: 'org-1', orgKind: 'HOSPITAL', role: 'PLATFORM_ADMIN' })
          .setProtectedHeader({ alg: 'HS256', kid: key.kid })
          .setSubject('user-1')
          .setIssuer('urn:flow:users')
          .setAudience('urn:flow:api')
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(new TextEncoder().encode(JSON.stringify(key.publicJwk))),
    ],
    [
      'unknown kid (a key users never published)',
      async () => {
        const stranger = await newSigningKey('not-published');
        return signToken(stranger);
      },
    ],
    ['signed by another key under a known kid', async () => signToken(await newSigningKey(key.kid))],
    ['garbage', async () => 'not-a-jwt'],
    [
      'missing sub claim',
      async () => {
        const token = new SignJWT({ org: 'org-1', orgKind: 'HOSPITAL', role: 'HOSPITAL_STAFF' })
          .setProtectedHeader({ alg: 'EdDSA', kid: key.kid })
          .setIssuer('urn:flow:users')
          .setAudience('urn:flow:api')
          .setIssuedAt()
          .setExpirationTime('10m');
        return token.sign(key.privateKey);
      },
    ],
  ];

  it.each(cases)('%s', async (_name, makeToken) => {
    const token = await makeToken();
    const result = await withoutSubgraphCall(() => graphql(router.url, '{ me { id } }', { token }));
    expect(result.status).toBe(401);
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
    expect(result.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(result.body.data).toBeUndefined();
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    const result = await withoutSubgraphCall(() =>
      graphql(router.url, '{ me { id } }', { headers: { authorization: 'Basic dXNlcjpwYXNz' } }),
    );
    expect(result.status).toBe(401);
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
  });
});

describe('declarative auth (@authenticated, @requiresScopes) before any subgraph call', () => {
  it('refuses an @authenticated field to an anonymous caller, naming the field', async () => {
    const result = await withoutSubgraphCall(() =>
      graphql(router.url, '{ me { id } organization(id: "org-1") { id name } }'),
    );
    expect(result.status).toBe(401);
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
    expect(result.body.errors?.[0]?.message).toContain('organization');
    expect(result.body.errors?.[0]?.extensions?.fields).toEqual([
      { path: 'organization', coordinate: 'Query.organization' },
    ]);
    expect(result.body.data).toBeUndefined();
  });

  it('serves the @authenticated field to a signed-in caller', async () => {
    const token = await signToken(key);
    const result = await graphql(router.url, '{ organization(id: "org-2") { id name kind } }', { token });
    expect(result.status).toBe(200);
    expect(result.body.data).toEqual({ organization: { id: 'org-2', name: 'Oxy Vendor', kind: 'VENDOR' } });
  });

  it('refuses @requiresScopes without the scope (FORBIDDEN), and to anonymous callers (UNAUTHENTICATED)', async () => {
    const token = await signToken(key, { role: 'HOSPITAL_ADMIN' });
    const forbidden = await withoutSubgraphCall(() =>
      graphql(router.url, '{ organizations { totalCount } }', { token }),
    );
    expect(forbidden.status).toBe(403);
    expect(codeOf(forbidden)).toBe('FORBIDDEN');
    expect(forbidden.body.errors?.[0]?.message).toContain('organizations');
    expect(forbidden.body.errors?.[0]?.message).toContain('platform:admin');

    const anonymous = await withoutSubgraphCall(() =>
      graphql(router.url, '{ organizations { totalCount } }'),
    );
    expect(anonymous.status).toBe(401);
    expect(codeOf(anonymous)).toBe('UNAUTHENTICATED');
  });

  it('serves @requiresScopes to a viewer with the scope', async () => {
    const token = await signToken(key, { role: 'PLATFORM_ADMIN', org: 'org-platform', orgKind: 'PLATFORM' });
    const result = await graphql(router.url, '{ organizations { totalCount edges { node { id } } } }', {
      token,
    });
    expect(result.status).toBe(200);
    expect(result.body.data).toEqual({
      organizations: { totalCount: 2, edges: [{ node: { id: 'org-1' } }, { node: { id: 'org-2' } }] },
    });
  });

  it('sees through named and inline fragments, and aliases', async () => {
    const staff = await signToken(key, { role: 'VENDOR_STAFF', orgKind: 'VENDOR', org: 'org-2' });
    const admin = await signToken(key, { role: 'PLATFORM_ADMIN', orgKind: 'PLATFORM', org: 'org-platform' });
    const named =
      'query Dashboard { ...Root } fragment Root on Query { me { id } ...Orgs } fragment Orgs on Query { all: organizations { totalCount } }';
    const refused = await withoutSubgraphCall(() => graphql(router.url, named, { token: staff }));
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(refused.body.errors?.[0]?.extensions?.fields).toEqual([
      { path: 'all', coordinate: 'Query.organizations', requiresScopes: [[['platform:admin']]] },
    ]);
    const inline = await withoutSubgraphCall(() =>
      graphql(router.url, '{ ... on Query { organizations { totalCount } } }', { token: staff }),
    );
    expect(codeOf(inline)).toBe('FORBIDDEN');

    const allowed = await graphql(router.url, named, { token: admin });
    expect(allowed.status).toBe(200);
    expect(allowed.body.data).toEqual({ me: { id: 'user-1' }, all: { totalCount: 2 } });
  });

  it('guards mutations the same way', async () => {
    const staff = await signToken(key, { role: 'HOSPITAL_STAFF' });
    const mutation =
      'mutation { inviteUser(input: { email: "a@b.c", name: "A", role: DRIVER, password: "long-enough-password" }) { id } }';
    const result = await withoutSubgraphCall(() => graphql(router.url, mutation, { token: staff }));
    expect(codeOf(result)).toBe('FORBIDDEN');
    expect(result.body.errors?.[0]?.message).toContain('inviteUser');
  });

  it('passes a subgraph FORBIDDEN through with its code and message', async () => {
    const token = await signToken(key);
    const result = await graphql(router.url, '{ organization(id: "secret") { id } }', { token });
    expect(codeOf(result)).toBe('FORBIDDEN');
    expect(result.body.errors?.[0]?.message).toBe('Only its own admins may see this organization.');
    expect(result.body.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN' }); // no serviceName in production
  });
});

describe('request signing: the production subgraph only accepts the router', () => {
  const body = { query: '{ me { id } }' };

  it('refuses a router with another secret; its clients see only INTERNAL_SERVER_ERROR', async () => {
    const misconfigured = memoryLogger();
    const other = await startTestRouter(
      {
        ...fixture.usersEnv,
        FLOW_ENV: 'production',
        ROUTER_SIGNING_SECRET: 'another-secret-that-is-long-enough-0123456789',
      },
      misconfigured.logger,
    );
    try {
      const result = await graphql(other.url, '{ me { id } }');
      // At the field the failed call should have filled (src/subgraph-failures.ts), still masked.
      expect(result.body).toEqual({
        data: { me: null },
        errors: [
          { message: 'Internal server error.', path: ['me'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
        ],
        extensions: { cost: { estimated: 1, maximum: 2500 } },
      });
      const logged = misconfigured
        .lines()
        .find((line) => line.msg === 'subgraph answered with an HTTP error');
      expect(logged).toMatchObject({ subgraph: 'users', status: 401 });
    } finally {
      await other.stop();
    }
  });

  it('refuses a direct unsigned call', async () => {
    const response = await fetch(subgraph.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(401);
    const json = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(json.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a signed call whose body was tampered with, accepts the untampered one', async () => {
    const requestId = `test-${randomUUID()}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = signRequest(SECRET, {
      timestamp,
      requestId,
      authorization: '',
      query: body.query,
      operationName: null,
      variables: null,
    });
    const headers = {
      'content-type': 'application/json',
      [REQUEST_ID_HEADER]: requestId,
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: signature,
    };

    const tampered = await fetch(subgraph.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: '{ organizations { totalCount } }' }),
    });
    expect(tampered.status).toBe(401);

    const genuine = await fetch(subgraph.url, { method: 'POST', headers, body: JSON.stringify(body) });
    expect(genuine.status).toBe(200);
  });

  it('refuses a call signed with another secret', async () => {
    const requestId = `test-${randomUUID()}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = signRequest('a-different-secret-of-sufficient-length!', {
      timestamp,
      requestId,
      authorization: '',
      query: body.query,
      operationName: null,
      variables: null,
    });
    const response = await fetch(subgraph.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [REQUEST_ID_HEADER]: requestId,
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signature,
      },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(401);
  });

  it('signs operations with variables and an operation name (the subgraph recomputes the same signature)', async () => {
    const token = await signToken(key);
    const result = await graphql(router.url, 'query Org($id: ID!) { organization(id: $id) { id name } }', {
      token,
      variables: { id: 'org-1' },
      operationName: 'Org',
    });
    expect(result.status).toBe(200);
    expect(result.body.data).toEqual({ organization: { id: 'org-1', name: 'St. Mary Hospital' } });
  });
});

describe('request ids', () => {
  it('propagates a sane incoming x-request-id to the subgraph and echoes it', async () => {
    const requestId = 'client-request-0001';
    const result = await graphql(router.url, '{ me { id } }', { headers: { 'x-request-id': requestId } });
    expect(result.headers.get('x-request-id')).toBe(requestId);
    expect(subgraph.calls.at(-1)?.requestId).toBe(requestId);
  });

  it('replaces an unusable incoming id with a generated one, used everywhere', async () => {
    const result = await graphql(router.url, '{ me { id } }', {
      headers: { 'x-request-id': 'bad id; drop table' },
    });
    const echoed = result.headers.get('x-request-id');
    expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
    expect(subgraph.calls.at(-1)?.requestId).toBe(echoed);
  });

  it('logs JSON lines that carry the request id', async () => {
    const requestId = 'log-check-request-0002';
    await graphql(router.url, '{ me { id } }', { headers: { 'x-request-id': requestId } });
    await graphql(router.url, '{ organizations { totalCount } }', {
      headers: { 'x-request-id': `${requestId}-b` },
    });
    const lines = log.lines();
    const mine = lines.filter((line) => line.requestId === requestId);
    expect(
      mine.some(
        (line) => line.msg === 'request completed' && line.status === 200 && line.path === '/graphql',
      ),
    ).toBe(true);
    const refused = lines.filter((line) => line.requestId === `${requestId}-b`).map((line) => line.msg);
    expect(refused).toEqual(
      expect.arrayContaining(['operation refused by declarative auth', 'request completed']),
    );
  });
});

describe('limits', () => {
  it('refuses an operation nested deeper than MAX_QUERY_DEPTH', async () => {
    const token = await signToken(key);
    let selection = 'id';
    for (let i = 0; i < 5; i += 1) selection = `organization { users { edges { node { ${selection} } } } }`;
    const result = await withoutSubgraphCall(() => graphql(router.url, `{ me { ${selection} } }`, { token }));
    expect(result.status).toBe(400);
    expect(codeOf(result)).toBe('QUERY_TOO_DEEP');
    expect(result.body.errors?.[0]?.extensions).toMatchObject({ limit: 15 });
  });

  it('refuses an operation with too many aliases, counting each fragment spread', async () => {
    const wide = `{ me { ${Array.from({ length: 31 }, (_, i) => `x${i}: id`).join(' ')} } }`;
    const result = await withoutSubgraphCall(() => graphql(router.url, wide));
    expect(result.status).toBe(400);
    expect(codeOf(result)).toBe('TOO_MANY_ALIASES');

    const fragment = `fragment F on User { ${Array.from({ length: 8 }, (_, i) => `a${i}: id`).join(' ')} }`;
    // 12 aliases in the text, 4 + 4 * 8 = 36 once the fragment is expanded.
    const expanded = await withoutSubgraphCall(() =>
      graphql(
        router.url,
        `
          {
            m1: me {
              ...F
            }
            m2: me {
              ...F
            }
            m3: me {
              ...F
            }
            m4: me {
              ...F
            }
          }
          ${fragment}
        `,
      ),
    );
    expect(codeOf(expanded)).toBe('TOO_MANY_ALIASES');
    expect(expanded.body.errors?.[0]?.extensions).toMatchObject({ aliases: 36, limit: 30 });

    const ok = await graphql(
      router.url,
      `
        {
          m1: me {
            ...F
          }
          m2: me {
            ...F
          }
        }
        ${fragment}
      `,
    );
    expect(ok.status).toBe(200);
  });

  it('refuses a body larger than MAX_REQUEST_BODY_BYTES with 413', async () => {
    const result = await withoutSubgraphCall(() =>
      graphql(router.url, `{ me { id } } # ${'x'.repeat(30_000)}`),
    );
    expect(result.status).toBe(413);
    expect(codeOf(result)).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a body that is not JSON with 400', async () => {
    const response = await fetch(router.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('BAD_REQUEST');
  });

  it('turns off introspection and the landing page in production', async () => {
    const introspection = await graphql(router.url, '{ __schema { queryType { name } } }');
    expect(introspection.status).toBe(400);
    expect(codeOf(introspection)).toBe('GRAPHQL_VALIDATION_FAILED');
    const page = await fetch(router.url, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type') ?? '').not.toContain('text/html');
  });

  it('serves the explorer, and introspection for its docs, in production when EXPLORER=true', async () => {
    const withExplorer = await fixture.startRouter({ FLOW_ENV: 'production', EXPLORER: 'true' });
    const page = await fetch(withExplorer.url, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('/graphql/explorer/graphiql-');
    const introspection = await graphql(withExplorer.url, '{ __schema { queryType { name } } }');
    expect(introspection.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  }, 120_000);

  it('does not suggest field names in production', async () => {
    const result = await graphql(router.url, '{ organisations { totalCount } }');
    expect(result.status).toBe(400);
    expect(result.text).not.toContain('Did you mean');
  });
});

describe('keys', () => {
  it('re-exposes the users JWKS (public members only, short cache)', async () => {
    const response = await fetch(router.url.replace('/graphql', '/.well-known/jwks.json'));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    const body = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(body.keys.map((k) => k.kid)).toContain(key.kid);
    for (const published of body.keys) expect(published).not.toHaveProperty('d');
  });

  it('accepts a token signed with a newly published key without a restart (rotation)', async () => {
    const before = await graphql(router.url, '{ me { id } }', {
      token: await signToken(key, { sub: 'user-old-key' }),
    });
    expect(before.body.data).toEqual({ me: { id: 'user-old-key' } });

    const next = await newSigningKey('key-2026-02');
    keyServer.keys.push(next.publicJwk); // users publishes the new key first...
    const fetchesBefore = keyServer.fetches();
    const after = await graphql(router.url, '{ me { id } }', {
      token: await signToken(next, { sub: 'user-new-key' }),
    }); // ...then signs with it
    expect(after.status).toBe(200);
    expect(after.body.data).toEqual({ me: { id: 'user-new-key' } });
    expect(keyServer.fetches()).toBeGreaterThan(fetchesBefore);

    // Tokens signed with the old key stay valid while it is published.
    const old = await graphql(router.url, '{ me { id } }', {
      token: await signToken(key, { sub: 'user-old-key' }),
    });
    expect(old.status).toBe(200);
  });
});

describe('operations', () => {
  it('answers /health/live and /health/ready (subgraph up)', async () => {
    const base = router.url.replace('/graphql', '');
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { users: { ok: true } } });
  });

  it('exposes Prometheus metrics', async () => {
    const response = await fetch(router.url.replace('/graphql', '/metrics'));
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('flow_http_request_duration_seconds');
    expect(text).toMatch(/flow_router_auth_total\{outcome="rejected",process="router"\} \d+/);
    expect(text).toContain('flow_router_subgraph_request_duration_seconds_bucket');
    expect(text).toMatch(/flow_router_operations_refused_total\{reason="forbidden",process="router"\} \d+/);
  });

  it('answers unknown paths with a JSON 404', async () => {
    const response = await fetch(router.url.replace('/graphql', '/nope'));
    expect(response.status).toBe(404);
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });
});
