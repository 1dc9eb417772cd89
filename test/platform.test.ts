import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import pg from 'pg';
import { subgraphDatabase } from '@flow/subgraph-kit';
import { parseKeySet, rotate } from '@flow/users';
import { createTestEnvironment, type PlatformTestEnvironment } from './environment';

interface Auth {
  accessToken: string;
  refreshToken: string;
  user: { id: string; role: string; organization: { id: string; status: string } };
}

const REGISTER = `mutation ($input: RegisterOrganizationInput!) {
  registerOrganization(input: $input) { accessToken refreshToken user { id role organization { id status } } }
}`;
const LOGIN = `mutation ($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken refreshToken user { id role organization { id status } } }
}`;
const ME = `query Me { me { id name role organization { id name kind } } }`;

let t: PlatformTestEnvironment;
beforeAll(async () => {
  t = await createTestEnvironment();
});
afterAll(() => t?.stop());

let sequence = 0;
async function register(kind: 'HOSPITAL' | 'VENDOR') {
  sequence += 1;
  const input = {
    kind,
    organizationName: `E2E ${kind} ${sequence}`,
    adminName: `E2E Admin ${sequence}`,
    email: `e2e.${kind.toLowerCase()}.${sequence}.${Date.now()}@example.org`,
    password: 'an-e2e-password-1',
  };
  const result = await t.gql<{ registerOrganization: Auth }>({ query: REGISTER, variables: { input } });
  expect(result.errors).toBeUndefined();
  return { input, auth: result.data!.registerOrganization };
}

describe('through the router', () => {
  it('registers, signs in, and reads the viewer with the token the router verified', async () => {
    const { input, auth } = await register('HOSPITAL');
    const login = await t.gql<{ login: Auth }>({
      query: LOGIN,
      variables: { email: input.email, password: input.password },
    });
    expect(login.errors).toBeUndefined();
    const me = await t.gql<{ me: { id: string; role: string } }>({
      query: ME,
      token: login.data!.login.accessToken,
    });
    expect(me.errors).toBeUndefined();
    expect(me.data?.me).toMatchObject({ id: auth.user.id, role: 'HOSPITAL_ADMIN' });
    expect(me.headers.get('x-request-id')).toBeTruthy();
  });

  it('answers 401 UNAUTHENTICATED for a token it cannot verify', async () => {
    const { auth } = await register('HOSPITAL');
    const [header, payload] = auth.accessToken.split('.');
    const result = await t.gql({ query: ME, token: `${header}.${payload}.${'x'.repeat(86)}` });
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('enforces @requiresScopes at the router: only platform admins list organizations', async () => {
    const { auth } = await register('HOSPITAL');
    const query = '{ organizations(first: 5) { totalCount } }';
    const denied = await t.gql({ query, token: auth.accessToken });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await t.gql({ query });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const admin = await t.gql<{ login: Auth }>({
      query: LOGIN,
      variables: { email: 'admin@flow.local', password: 'flow-admin-password' },
    });
    const allowed = await t.gql<{ organizations: { totalCount: number } }>({
      query,
      token: admin.data!.login.accessToken,
    });
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data!.organizations.totalCount).toBeGreaterThanOrEqual(2);
  });

  it('re-exposes the users JWKS', async () => {
    const response = await fetch(new URL('/.well-known/jwks.json', t.routerUrl));
    expect(response.status).toBe(200);
    const jwks = (await response.json()) as { keys: { kid: string; d?: string }[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
  });

  it('accepts tokens of a rotated key without a restart, and old tokens until they expire', async () => {
    const { input, auth: before } = await register('HOSPITAL');
    const file = join(t.dataDir, 'keys', 'users-signing-keys.json');
    const rotated = await rotate(parseKeySet(readFileSync(file, 'utf8')), 1);
    writeFileSync(file, JSON.stringify(rotated));
    const newKid = rotated.keys[rotated.keys.length - 1]!.kid;
    await new Promise((r) => setTimeout(r, 1200));

    const login = await t.gql<{ login: Auth }>({
      query: LOGIN,
      variables: { email: input.email, password: input.password },
    });
    const after = login.data!.login.accessToken;
    expect(decodeProtectedHeader(after).kid).toBe(newKid);
    expect(decodeProtectedHeader(before.accessToken).kid).not.toBe(newKid);
    for (const token of [after, before.accessToken]) {
      const me = await t.gql<{ me: { id: string } }>({ query: ME, token });
      expect(me.errors).toBeUndefined();
      expect(me.data?.me.id).toBe(before.user.id);
    }
  });

  it('serves Prometheus metrics and health on every process', async () => {
    for (const base of [t.routerUrl, t.usersUrl]) {
      const metrics = await (await fetch(new URL('/metrics', base))).text();
      expect(metrics).toContain('flow_http_request_duration_seconds');
      expect(metrics).toContain('process_cpu_user_seconds_total');
      expect((await fetch(new URL('/health/live', base))).status).toBe(200);
    }
  });

  it('forwards the request id and the client address to the subgraph, which records them with the attempt', async () => {
    const { input } = await register('HOSPITAL');
    const requestId = `e2e-request-${Date.now()}`;
    const login = await t.gql({
      query: LOGIN,
      variables: { email: input.email, password: input.password },
      headers: { 'x-request-id': requestId },
    });
    expect(login.errors).toBeUndefined();
    expect(login.headers.get('x-request-id')).toBe(requestId);
    const { connectionString, schema } = subgraphDatabase('users', { databaseUrl: t.databaseUrl });
    const db = new pg.Client({ connectionString });
    await db.connect();
    try {
      const { rows } = await db.query(
        `SELECT client_address, succeeded FROM "${schema}".login_attempts WHERE request_id = $1`,
        [requestId],
      );
      expect(rows).toEqual([{ client_address: expect.stringMatching(/127\.0\.0\.1/), succeeded: true }]);
    } finally {
      await db.end();
    }
  });
});
