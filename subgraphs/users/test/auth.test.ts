import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import pg from 'pg';
import { subgraphDatabase } from '@flow/subgraph-kit';
import { createTestEnvironment, type UsersTestEnvironment } from './environment';
import { LOGIN, LOGOUT, ME, REFRESH, REGISTER, registration, type AuthPayload } from './queries';

let t: UsersTestEnvironment;
let db: pg.Client;

beforeAll(async () => {
  t = await createTestEnvironment({ LOGIN_MAX_FAILURES: '3', LOGIN_LOCKOUT_BASE_SECONDS: '2' });
  const database = subgraphDatabase('users', { databaseUrl: t.env.DATABASE_URL });
  db = new pg.Client({
    connectionString: database.connectionString,
    options: `-c search_path=${database.schema}`,
  });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await t?.stop();
});

const count = async (table: string) =>
  Number((await db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);

async function register(kind: 'HOSPITAL' | 'VENDOR', overrides: Record<string, unknown> = {}) {
  const input = registration(kind, overrides);
  const result = await t.gql<{ registerOrganization: AuthPayload }>({
    query: REGISTER,
    variables: { input },
  });
  expect(result.errors).toBeUndefined();
  return { input, payload: result.data!.registerOrganization };
}

describe('registerOrganization', () => {
  it('creates an active hospital with its admin and signs them in with a verifiable token', async () => {
    const { input, payload } = await register('HOSPITAL');
    expect(payload.user).toMatchObject({
      email: input.email,
      role: 'HOSPITAL_ADMIN',
      organization: { kind: 'HOSPITAL', status: 'ACTIVE' },
    });
    expect(payload.refreshToken).toMatch(/^frt_/);

    const jwks = (await (await fetch(new URL('/.well-known/jwks.json', t.app.url))).json()) as {
      keys: JWK[];
    };
    const { payload: claims, protectedHeader } = await jwtVerify(
      payload.accessToken,
      createLocalJWKSet(jwks),
      {
        issuer: t.env.JWT_ISSUER,
        audience: t.env.JWT_AUDIENCE,
      },
    );
    expect(protectedHeader.alg).toBe('EdDSA');
    expect(protectedHeader.kid).toBe(jwks.keys[0]!.kid);
    expect(claims).toMatchObject({
      sub: payload.user.id,
      org: payload.user.organization.id,
      orgKind: 'HOSPITAL',
      role: 'HOSPITAL_ADMIN',
    });
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(Date.parse(payload.accessTokenExpiresAt!)).toBe(claims.exp! * 1000);
  });

  it('starts vendors pending approval', async () => {
    const { payload } = await register('VENDOR');
    expect(payload.user.role).toBe('VENDOR_ADMIN');
    expect(payload.user.organization.status).toBe('PENDING_APPROVAL');
  });

  it('stores only a scrypt hash of the password', async () => {
    const { input } = await register('HOSPITAL');
    const row = (await db.query('SELECT password_hash FROM users WHERE email = $1', [input.email])).rows[0];
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain(input.password);
  });

  it.each([
    ['input.kind', { kind: 'PLATFORM' }],
    ['input.organizationName', { organizationName: ' ' }],
    ['input.adminName', { adminName: '' }],
    ['input.email', { email: 'nope' }],
    ['input.password', { password: 'short' }],
  ])('refuses a bad %s with BAD_USER_INPUT naming it, and changes nothing', async (field, change) => {
    const [organizations, users] = [await count('organizations'), await count('users')];
    const result = await t.gql({ query: REGISTER, variables: { input: registration('HOSPITAL', change) } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect([await count('organizations'), await count('users')]).toEqual([organizations, users]);
  });

  it('refuses a taken email (any case) with CONFLICT and leaves no half-made organization', async () => {
    const { input } = await register('HOSPITAL');
    const organizations = await count('organizations');
    const again = await t.gql({
      query: REGISTER,
      variables: { input: registration('VENDOR', { email: input.email.toUpperCase() }) },
    });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.email' });
    expect(await count('organizations')).toBe(organizations);
  });
});

describe('login', () => {
  it('signs in with the right password (email case-insensitive) and records the attempt', async () => {
    const { input } = await register('HOSPITAL');
    const result = await t.gql<{ login: AuthPayload }>({
      query: LOGIN,
      variables: { email: input.email.toUpperCase(), password: input.password },
      headers: { 'x-request-id': 'login-test-request-1' },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!.login.user.email).toBe(input.email);
    const attempts = await db.query(
      'SELECT succeeded, failure_reason, request_id FROM login_attempts WHERE email = $1',
      [input.email],
    );
    expect(attempts.rows).toEqual([
      { succeeded: true, failure_reason: null, request_id: 'login-test-request-1' },
    ]);
  });

  it('gives the same answer for a wrong password and an unknown email, and records both', async () => {
    const { input } = await register('HOSPITAL');
    const wrong = await t.gql({
      query: LOGIN,
      variables: { email: input.email, password: 'wrong-password-123' },
    });
    const unknown = await t.gql({
      query: LOGIN,
      variables: { email: `nobody.${input.email}`, password: 'wrong-password-123' },
    });
    expect(wrong.errors?.[0]).toMatchObject({
      message: 'Email or password is incorrect.',
      extensions: { code: 'INVALID_CREDENTIALS' },
    });
    expect(unknown.errors?.[0]?.message).toBe(wrong.errors?.[0]?.message);
    expect(unknown.errors?.[0]?.extensions?.code).toBe(wrong.errors?.[0]?.extensions?.code);
    const reasons = await db.query(
      'SELECT failure_reason FROM login_attempts WHERE email IN ($1, $2) ORDER BY created_at',
      [input.email, `nobody.${input.email}`],
    );
    expect(reasons.rows.map((r) => r.failure_reason)).toEqual(['wrong_password', 'unknown_email']);
  });

  it('locks an email for the guessing address after repeated failures, with backoff, without locking anyone else', async () => {
    const victim = (await register('HOSPITAL')).input;
    const bystander = (await register('HOSPITAL')).input;
    for (let i = 0; i < 3; i++) {
      const r = await t.gql({
        query: LOGIN,
        variables: { email: victim.email, password: 'guess-guess-guess' },
      });
      expect(r.errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');
    }
    const locked = await t.gql({
      query: LOGIN,
      variables: { email: victim.email, password: victim.password },
    });
    expect(locked.errors?.[0]?.extensions).toMatchObject({
      code: 'ACCOUNT_LOCKED',
      retryAfterSeconds: expect.any(Number),
    });
    const other = await t.gql({
      query: LOGIN,
      variables: { email: bystander.email, password: bystander.password },
    });
    expect(other.errors).toBeUndefined();

    const pair = async () =>
      (
        await db.query('SELECT failures, locked_until FROM login_address_throttles WHERE email = $1', [
          victim.email,
        ])
      ).rows;
    // The lock ends (moved into the past rather than waited for); one more failure doubles it.
    await db.query(
      "UPDATE login_address_throttles SET locked_until = now() - interval '1 second' WHERE email = $1",
      [victim.email],
    );
    await t.gql({ query: LOGIN, variables: { email: victim.email, password: 'guess-guess-guess' } });
    const [row] = await pair();
    expect(row.failures).toBe(4);
    expect(row.locked_until.getTime() - Date.now()).toBeGreaterThan(2500);

    await db.query(
      "UPDATE login_address_throttles SET locked_until = now() - interval '1 second' WHERE email = $1",
      [victim.email],
    );
    const ok = await t.gql({ query: LOGIN, variables: { email: victim.email, password: victim.password } });
    expect(ok.errors).toBeUndefined();
    expect(await pair()).toEqual([]);
    const reasons = (
      await db.query('SELECT failure_reason FROM login_attempts WHERE email = $1', [victim.email])
    ).rows;
    expect(reasons.map((r) => r.failure_reason)).toEqual(
      expect.arrayContaining(['wrong_password', 'locked', null]),
    );
  });

  it('lets no more than the allowed number of guesses through when they arrive at once', async () => {
    const { input } = await register('HOSPITAL');
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        t.gql({ query: LOGIN, variables: { email: input.email, password: 'parallel-guess-1' } }),
      ),
    );
    const codes = results.map((r) => r.errors?.[0]?.extensions?.code);
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(3);
    expect(codes.filter((c) => c === 'ACCOUNT_LOCKED')).toHaveLength(9);
  });
});

describe('sessions', () => {
  it('rotates refresh tokens, and a reused one revokes the whole family', async () => {
    const { payload } = await register('HOSPITAL');
    const first = await t.gql<{ refreshSession: AuthPayload }>({
      query: REFRESH,
      variables: { refreshToken: payload.refreshToken },
    });
    expect(first.errors).toBeUndefined();
    const rotated = first.data!.refreshSession;
    expect(rotated.refreshToken).not.toBe(payload.refreshToken);

    const replay = await t.gql({ query: REFRESH, variables: { refreshToken: payload.refreshToken } });
    expect(replay.errors?.[0]?.extensions?.code).toBe('INVALID_REFRESH_TOKEN');
    // The thief's replay also killed the legitimate newer token.
    const afterReplay = await t.gql({ query: REFRESH, variables: { refreshToken: rotated.refreshToken } });
    expect(afterReplay.errors?.[0]?.extensions?.code).toBe('INVALID_REFRESH_TOKEN');
  });

  it('lets only one of two concurrent refreshes with the same token succeed', async () => {
    const { payload } = await register('HOSPITAL');
    const results = await Promise.all(
      [1, 2].map(() => t.gql({ query: REFRESH, variables: { refreshToken: payload.refreshToken } })),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'INVALID_REFRESH_TOKEN')).toHaveLength(
      1,
    );
  });

  it('logs out: the token and its family stop working', async () => {
    const { payload } = await register('HOSPITAL');
    const out = await t.gql<{ logout: boolean }>({
      query: LOGOUT,
      variables: { refreshToken: payload.refreshToken },
    });
    expect(out.data?.logout).toBe(true);
    const again = await t.gql<{ logout: boolean }>({
      query: LOGOUT,
      variables: { refreshToken: payload.refreshToken },
    });
    expect(again.data?.logout).toBe(false);
    const refresh = await t.gql({ query: REFRESH, variables: { refreshToken: payload.refreshToken } });
    expect(refresh.errors?.[0]?.extensions?.code).toBe('INVALID_REFRESH_TOKEN');
  });

  it('refuses garbage refresh tokens', async () => {
    const refresh = await t.gql({ query: REFRESH, variables: { refreshToken: 'frt_made-up' } });
    expect(refresh.errors?.[0]?.extensions?.code).toBe('INVALID_REFRESH_TOKEN');
  });
});

describe('me', () => {
  it('is the token’s user, null when anonymous, and UNAUTHENTICATED for a bad token', async () => {
    const { payload, input } = await register('HOSPITAL');
    const me = await t.gql<{ me: AuthPayload['user'] }>({ query: ME, token: payload.accessToken });
    expect(me.data?.me).toMatchObject({
      id: payload.user.id,
      email: input.email,
      organization: { kind: 'HOSPITAL' },
    });
    expect((await t.gql<{ me: null }>({ query: ME })).data?.me).toBeNull();

    const [header, body] = payload.accessToken.split('.');
    const forged = `${header}.${body}.${'A'.repeat(86)}`;
    const bad = await t.gql({ query: ME, token: forged });
    expect(bad.status).toBe(401);
    expect(bad.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(decodeProtectedHeader(payload.accessToken).typ).toBe('at+jwt');
  });
});
