// Partner client applications: management (who may, what is stored) and the client credentials
// grant at POST /oauth/token (RFC 6749 4.4, 5.1, 5.2), against the real users process and Postgres.
import { createHash } from 'node:crypto';
import { createLocalJWKSet } from 'jose';
import { createTokenVerifier } from '@flow/core';
import { createTestEnvironment, type UsersTestEnvironment } from './environment';
import { LOGIN, REGISTER, registration, type AuthPayload } from './queries';

let t: UsersTestEnvironment;
let tokenUrl: string;
let adminToken: string;
let hospital: { organizationId: string; adminToken: string };
let otherHospital: { organizationId: string; adminToken: string };

const APPLICATION_FIELDS = 'id name scopes status revokedAt organization { id }';
const CREATE = /* GraphQL */ `
  mutation Create($input: CreateClientApplicationInput!) {
    createClientApplication(input: $input) { clientSecret previousSecretExpiresAt application { ${APPLICATION_FIELDS} } }
  }
`;
const ROTATE = /* GraphQL */ `
  mutation Rotate($id: ID!, $overlapSeconds: Int) {
    rotateClientSecret(id: $id, overlapSeconds: $overlapSeconds) {
      clientSecret
      previousSecretExpiresAt
      application {
        id
      }
    }
  }
`;
const REVOKE = /* GraphQL */ `
  mutation Revoke($id: ID!) { revokeClientApplication(id: $id) { ${APPLICATION_FIELDS} } }
`;
const LIST = /* GraphQL */ `
  query List($first: Int, $after: String) {
    clientApplications(first: $first, after: $after) {
      totalCount
      edges {
        node {
          id
          organization {
            id
          }
        }
      }
    }
  }
`;
const INVITE = /* GraphQL */ `
  mutation Invite($input: InviteUserInput!) {
    inviteUser(input: $input) {
      id
    }
  }
`;

interface Created {
  clientSecret: string;
  previousSecretExpiresAt: string | null;
  application: { id: string; name: string; scopes: string[]; status: string; organization: { id: string } };
}

let nameCounter = 0;
const uniqueName = () => `erp-${Date.now().toString(36)}-${(nameCounter += 1)}`;

async function login(email: string, password: string) {
  const result = await t.gql<{ login: AuthPayload }>({ query: LOGIN, variables: { email, password } });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.login;
}

async function registerHospital() {
  const input = registration('HOSPITAL');
  const result = await t.gql<{ registerOrganization: AuthPayload }>({
    query: REGISTER,
    variables: { input },
  });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  const payload = result.data!.registerOrganization;
  return { organizationId: payload.user.organization.id, adminToken: payload.accessToken, input };
}

async function create(token: string, input: Record<string, unknown>) {
  return t.gql<{ createClientApplication: Created }>({ query: CREATE, variables: { input }, token });
}

async function createOk(token: string, input: Record<string, unknown> = {}): Promise<Created> {
  const result = await create(token, {
    name: uniqueName(),
    scopes: ['orders:read', 'catalog:read'],
    ...input,
  });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.createClientApplication;
}

function postToken(form: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

const grant = (id: string, secret: string, extra: Record<string, string> = {}) =>
  postToken({ grant_type: 'client_credentials', ...extra }, { authorization: basic(id, secret) });

const tokenOf = async (response: Response) => {
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
};

/** The application's secrets' ids, oldest first. */
const secretIdsOf = async (applicationId: string) =>
  (
    await t.sql<{ id: string }>(
      'SELECT id FROM client_secrets WHERE client_application_id = $1::uuid ORDER BY created_at, id',
      [applicationId],
    )
  ).map((row) => row.id);

const me = (token: string) => t.gql<{ me: { id: string } }>({ query: '{ me { id } }', token });

/** Polls (no throttle involved: a token's use, not a grant) until users refuses the token. */
async function untilRefused(token: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const result = await me(token);
    if (result.errors) return result;
    if (Date.now() > deadline) throw new Error('the token was still accepted after 30 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const servedList = async () =>
  (await (await fetch(`${new URL(t.app.url).origin}/organizations/suspended`)).json()) as {
    revokedClientApplicationIds: string[];
    endedClientSecretIds: string[];
  };

beforeAll(async () => {
  t = await createTestEnvironment();
  tokenUrl = `${new URL(t.app.url).origin}/oauth/token`;
  adminToken = (await login(t.admin.email, t.admin.password)).accessToken;
  hospital = await registerHospital();
  otherHospital = await registerHospital();
});
afterAll(() => t?.stop());

describe('createClientApplication', () => {
  it('shows the secret once and stores only its SHA-256', async () => {
    const created = await createOk(hospital.adminToken);
    expect(created.clientSecret).toMatch(/^fcs_[A-Za-z0-9_-]{43}$/);
    expect(created.application).toMatchObject({
      status: 'ACTIVE',
      scopes: ['orders:read', 'catalog:read'],
      organization: { id: hospital.organizationId },
    });
    const rows = await t.sql<{ secret_hash: string }>(
      'SELECT secret_hash FROM client_secrets WHERE client_application_id = $1::uuid',
      [created.application.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.secret_hash).not.toContain(created.clientSecret);
    expect(rows[0]!.secret_hash).toBe(createHash('sha256').update(created.clientSecret).digest('hex'));
    // Nothing in the schema gives the secret back.
    const listed = await t.gql({ query: LIST, variables: { first: 50 }, token: hospital.adminToken });
    expect(JSON.stringify(listed)).not.toContain(created.clientSecret);
  });

  it('refuses bad input with the field named, and changes nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'Bad Name!', scopes: ['orders:read'] }, 'input.name'],
      [{ name: uniqueName(), scopes: [] }, 'input.scopes'],
      [{ name: uniqueName(), scopes: ['orders:read', 'platform:admin'] }, 'input.scopes[1]'],
      [{ name: uniqueName(), scopes: ['orders:read'], organizationId: 'nope' }, 'input.organizationId'],
    ];
    const before = await t.sql<{ n: bigint }>('SELECT count(*) AS n FROM client_applications');
    for (const [input, field] of cases) {
      const result = await create(hospital.adminToken, input);
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const after = await t.sql<{ n: bigint }>('SELECT count(*) AS n FROM client_applications');
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('refuses a name already taken with CONFLICT', async () => {
    const name = uniqueName();
    await createOk(hospital.adminToken, { name });
    const again = await create(otherHospital.adminToken, { name, scopes: ['orders:read'] });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.name' });
  });

  it('is for ACTIVE organizations only', async () => {
    const vendor = registration('VENDOR');
    const registered = await t.gql<{ registerOrganization: AuthPayload }>({
      query: REGISTER,
      variables: { input: vendor },
    });
    const pending = registered.data!.registerOrganization;
    expect(pending.user.organization.status).toBe('PENDING_APPROVAL');
    const result = await create(pending.accessToken, { name: uniqueName(), scopes: ['orders:read'] });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', status: 'PENDING_APPROVAL' });
  });
});

describe('who manages client applications', () => {
  it('organization admins for their own organization only; platform admins for any', async () => {
    const own = await createOk(hospital.adminToken);
    const foreign = await create(hospital.adminToken, {
      name: uniqueName(),
      scopes: ['orders:read'],
      organizationId: otherHospital.organizationId,
    });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    for (const query of [ROTATE, REVOKE]) {
      const result = await t.gql({
        query,
        variables: { id: own.application.id },
        token: otherHospital.adminToken,
      });
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }

    const byPlatform = await createOk(adminToken, { organizationId: otherHospital.organizationId });
    expect(byPlatform.application.organization.id).toBe(otherHospital.organizationId);
    const withoutOrganization = await create(adminToken, { name: uniqueName(), scopes: ['orders:read'] });
    expect(withoutOrganization.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.organizationId',
    });

    const ownList = await t.gql<{
      clientApplications: { edges: { node: { organization: { id: string } } }[] };
    }>({
      query: LIST,
      variables: { first: 100 },
      token: hospital.adminToken,
    });
    const organizations = new Set(ownList.data!.clientApplications.edges.map((e) => e.node.organization.id));
    expect([...organizations]).toEqual([hospital.organizationId]);
    const all = await t.gql<{ clientApplications: { edges: { node: { id: string } }[] } }>({
      query: LIST,
      variables: { first: 100 },
      token: adminToken,
    });
    const ids = all.data!.clientApplications.edges.map((e) => e.node.id);
    expect(ids).toEqual(expect.arrayContaining([own.application.id, byPlatform.application.id]));
  });

  it('refuses hospital staff and signed-out callers', async () => {
    const staff = { email: `staff.${Date.now()}@example.org`, password: 'staff-password-12' };
    const invited = await t.gql({
      query: INVITE,
      variables: { input: { ...staff, name: 'Sam Staff', role: 'HOSPITAL_STAFF' } },
      token: hospital.adminToken,
    });
    expect(invited.errors).toBeUndefined();
    const staffToken = (await login(staff.email, staff.password)).accessToken;
    const own = await createOk(hospital.adminToken);
    const attempts = [
      { query: CREATE, variables: { input: { name: uniqueName(), scopes: ['orders:read'] } } },
      { query: ROTATE, variables: { id: own.application.id } },
      { query: REVOKE, variables: { id: own.application.id } },
      { query: LIST, variables: {} },
    ];
    for (const attempt of attempts) {
      const asStaff = await t.gql({ ...attempt, token: staffToken });
      expect(asStaff.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const anonymous = await t.gql(attempt);
      expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('POST /oauth/token', () => {
  it('issues a partner token naming the client application, by Basic and by body credentials', async () => {
    const created = await createOk(hospital.adminToken);
    const { id, name } = created.application;
    const byBasic = await grant(id, created.clientSecret);
    expect(byBasic.status).toBe(200);
    expect(byBasic.headers.get('cache-control')).toBe('no-store');
    const body = (await byBasic.json()) as Record<string, unknown>;
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: t.env.PARTNER_TOKEN_TTL_SECONDS,
      scope: 'orders:read catalog:read',
    });
    expect(body).not.toHaveProperty('refresh_token');

    const verify = createTokenVerifier({
      issuer: t.env.JWT_ISSUER,
      audience: t.env.JWT_AUDIENCE,
      keys: (header, token) => createLocalJWKSet(t.app.keys.jwks())(header, token),
    });
    const viewer = await verify(String(body.access_token));
    const [secret] = await secretIdsOf(id);
    expect(viewer).toMatchObject({
      userId: id,
      role: 'PARTNER',
      organizationId: hospital.organizationId,
      organizationKind: 'HOSPITAL',
      // The secret it was obtained with: its end (a rotation) ends the token.
      clientApplication: { id, name, secretId: secret },
    });
    expect(viewer.scopes).toEqual(expect.arrayContaining(['role:PARTNER', 'orders:read', 'catalog:read']));
    expect(viewer.scopes).not.toContain('org:admin');

    const byBody = await postToken({
      grant_type: 'client_credentials',
      client_id: id,
      client_secret: created.clientSecret,
      scope: 'catalog:read',
    });
    expect(byBody.status).toBe(200);
    expect(((await byBody.json()) as { scope: string }).scope).toBe('catalog:read');
  });

  it('answers RFC 6749 5.2 errors', async () => {
    const created = await createOk(hospital.adminToken);
    const { id } = created.application;
    const expectError = async (response: Response, status: number, error: string) => {
      expect(response.status).toBe(status);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({ error, error_description: expect.any(String) });
    };
    await expectError(await grant(id, created.clientSecret, { scope: 'orders:write' }), 400, 'invalid_scope');
    await expectError(
      await postToken({ client_id: id, client_secret: created.clientSecret }),
      400,
      'invalid_request',
    );
    await expectError(
      await postToken({ grant_type: 'password', client_id: id, client_secret: created.clientSecret }),
      400,
      'unsupported_grant_type',
    );
    await expectError(
      await postToken(
        { grant_type: 'client_credentials', client_id: id, client_secret: created.clientSecret },
        { authorization: basic(id, created.clientSecret) },
      ),
      400,
      'invalid_request',
    );
    const json = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic(id, created.clientSecret) },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    await expectError(json, 400, 'invalid_request');
    const twice = await fetch(tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(id, created.clientSecret),
      },
      body: 'grant_type=client_credentials&grant_type=client_credentials',
    });
    await expectError(twice, 400, 'invalid_request');

    const wrongBasic = await grant(id, `${created.clientSecret}x`);
    expect(wrongBasic.headers.get('www-authenticate')).toMatch(/^Basic /);
    await expectError(wrongBasic, 401, 'invalid_client');
    const wrongBody = await postToken({
      grant_type: 'client_credentials',
      client_id: id,
      client_secret: 'nope',
    });
    expect(wrongBody.headers.get('www-authenticate')).toBeNull();
    await expectError(wrongBody, 401, 'invalid_client');
    // Another application's secret does not authenticate this one.
    const other = await createOk(hospital.adminToken);
    await expectError(await grant(id, other.clientSecret), 401, 'invalid_client');
  });

  it('throttles failed client authentications per client and address (429 temporarily_unavailable)', async () => {
    const created = await createOk(hospital.adminToken);
    const { id } = created.application;
    for (let attempt = 0; attempt < t.env.LOGIN_MAX_FAILURES; attempt += 1)
      expect((await grant(id, 'fcs_guess')).status).toBe(401);
    const locked = await grant(id, created.clientSecret);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await locked.json()) as { error: string }).error).toBe('temporarily_unavailable');
    // Another application is not touched.
    const other = await createOk(hospital.adminToken);
    expect((await grant(other.application.id, other.clientSecret)).status).toBe(200);
  });
});

describe('rotateClientSecret', () => {
  it('keeps the old secret and its tokens working during the overlap only; the new one works at once', async () => {
    const created = await createOk(hospital.adminToken);
    const { id } = created.application;
    const oldToken = await tokenOf(await grant(id, created.clientSecret));
    const rotated = await t.gql<{ rotateClientSecret: Created }>({
      query: ROTATE,
      variables: { id, overlapSeconds: 5 },
      token: hospital.adminToken,
    });
    expect(rotated.errors).toBeUndefined();
    const { clientSecret, previousSecretExpiresAt } = rotated.data!.rotateClientSecret;
    expect(clientSecret).not.toBe(created.clientSecret);
    const overlapEnds = Date.parse(previousSecretExpiresAt!);
    const [oldSecretId, newSecretId] = await secretIdsOf(id);
    const newToken = await tokenOf(await grant(id, clientSecret));
    const during = await grant(id, created.clientSecret);
    const oldTokenDuring = await me(oldToken);
    // The overlap is short on a busy machine: what was answered after it ended proves nothing here.
    if (Date.now() < overlapEnds) {
      expect(during.status).toBe(200);
      expect(oldTokenDuring.errors).toBeUndefined();
    }
    const mintedDuring = during.status === 200 ? await tokenOf(during) : null;

    const refused = await untilRefused(oldToken);
    // Refused once the overlap is over, by the next reload of the list (each SUSPENSION_REFRESH_MS).
    expect(Date.now()).toBeGreaterThanOrEqual(overlapEnds);
    expect(refused.status).toBe(403);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'CLIENT_SECRET_ENDED',
    });
    if (mintedDuring)
      expect((await me(mintedDuring)).errors?.[0]?.extensions?.reason).toBe('CLIENT_SECRET_ENDED');
    expect((await grant(id, created.clientSecret)).status).toBe(401);
    const list = await servedList();
    expect(list.endedClientSecretIds).toContain(oldSecretId);
    expect(list.endedClientSecretIds).not.toContain(newSecretId);
    // The application and its new secret go on.
    expect((await me(newToken)).errors).toBeUndefined();
    expect((await grant(id, clientSecret)).status).toBe(200);
  });

  it("with no overlap ends the old secret's tokens at once (users reloads its list on rotation)", async () => {
    const created = await createOk(hospital.adminToken);
    const { id } = created.application;
    const oldToken = await tokenOf(await grant(id, created.clientSecret));
    expect((await me(oldToken)).errors).toBeUndefined();
    const rotatedAt = Date.now();
    const rotated = await t.gql<{ rotateClientSecret: Created }>({
      query: ROTATE,
      variables: { id, overlapSeconds: 0 },
      token: hospital.adminToken,
    });
    expect(rotated.errors).toBeUndefined();
    const refused = await untilRefused(oldToken);
    console.log(
      `users refused the old secret's token ${Date.now() - rotatedAt} ms after the rotation was asked`,
    );
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'CLIENT_SECRET_ENDED',
    });
    expect((await grant(id, created.clientSecret)).status).toBe(401);
    const newToken = await tokenOf(await grant(id, rotated.data!.rotateClientSecret.clientSecret));
    expect((await me(newToken)).errors).toBeUndefined();
  });

  it('refuses an overlap out of range, naming the argument', async () => {
    const created = await createOk(hospital.adminToken);
    for (const overlapSeconds of [-1, 86_401]) {
      const result = await t.gql({
        query: ROTATE,
        variables: { id: created.application.id, overlapSeconds },
        token: hospital.adminToken,
      });
      expect(result.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'overlapSeconds',
      });
    }
    expect((await grant(created.application.id, created.clientSecret)).status).toBe(200);
  });
});

describe('revokeClientApplication', () => {
  it('stops new tokens at once and puts the application on the served suspension list', async () => {
    const created = await createOk(hospital.adminToken);
    const { id } = created.application;
    const token = ((await (await grant(id, created.clientSecret)).json()) as { access_token: string })
      .access_token;
    const before = await t.gql<{ me: unknown }>({ query: '{ me { id } }', token });
    expect(before.errors).toBeUndefined();

    const revoked = await t.gql<{ revokeClientApplication: { status: string; revokedAt: string } }>({
      query: REVOKE,
      variables: { id },
      token: adminToken,
    });
    expect(revoked.data!.revokeClientApplication).toMatchObject({
      status: 'REVOKED',
      revokedAt: expect.any(String),
    });
    expect((await grant(id, created.clientSecret)).status).toBe(401);

    const list = await servedList();
    expect(list.revokedClientApplicationIds).toContain(id);
    // users itself refuses the token of a revoked application (its list was reloaded on revoke).
    const after = await t.gql({ query: '{ me { id } }', token });
    expect(after.status).toBe(403);
    expect(after.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'CLIENT_APPLICATION_REVOKED',
    });
    // A revoked application cannot be rotated back to life.
    const rotate = await t.gql({ query: ROTATE, variables: { id }, token: hospital.adminToken });
    expect(rotate.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });
});
