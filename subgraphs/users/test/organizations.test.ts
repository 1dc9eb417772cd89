import { createTestEnvironment, type UsersTestEnvironment } from './environment';
import { LOGIN, REFRESH, REGISTER, registration, type AuthPayload } from './queries';

let t: UsersTestEnvironment;
let adminToken: string;

const INVITE = /* GraphQL */ `
  mutation Invite($input: InviteUserInput!) {
    inviteUser(input: $input) {
      id
      email
      role
      organization {
        id
      }
    }
  }
`;
const APPROVE = /* GraphQL */ `
  mutation Approve($id: ID!) {
    approveOrganization(id: $id) {
      id
      status
      suspendedReason
    }
  }
`;
const SUSPEND = /* GraphQL */ `
  mutation Suspend($id: ID!, $reason: String!) {
    suspendOrganization(id: $id, reason: $reason) {
      id
      status
      suspendedReason
    }
  }
`;
const ORGANIZATIONS = /* GraphQL */ `
  query Organizations($kind: OrganizationKind, $status: OrganizationStatus, $first: Int, $after: String) {
    organizations(kind: $kind, status: $status, first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node {
          id
          name
          kind
          status
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        endCursor
      }
    }
  }
`;
const ORGANIZATION = /* GraphQL */ `
  query Organization($id: ID!) {
    organization(id: $id) {
      id
      name
      kind
      status
      suspendedReason
      users(first: 10) {
        totalCount
        edges {
          node {
            id
            email
          }
        }
      }
    }
  }
`;

async function login(email: string, password: string) {
  const result = await t.gql<{ login: AuthPayload }>({ query: LOGIN, variables: { email, password } });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.login;
}

async function register(kind: 'HOSPITAL' | 'VENDOR') {
  const input = registration(kind);
  const result = await t.gql<{ registerOrganization: AuthPayload }>({
    query: REGISTER,
    variables: { input },
  });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return { input, ...result.data!.registerOrganization };
}

beforeAll(async () => {
  t = await createTestEnvironment();
  adminToken = (await login(t.admin.email, t.admin.password)).accessToken;
});
afterAll(() => t?.stop());

describe('platform admin bootstrap', () => {
  it('creates the platform admin once, in the platform organization', async () => {
    const admin = await login(t.admin.email, t.admin.password);
    expect(admin.user).toMatchObject({
      role: 'PLATFORM_ADMIN',
      organization: { kind: 'PLATFORM', status: 'ACTIVE' },
    });
  });
});

describe('inviteUser', () => {
  it('lets an organization admin add staff who can then sign in', async () => {
    const vendor = await register('VENDOR');
    const input = {
      email: `driver.${vendor.input.email}`,
      name: 'Dana Driver',
      role: 'DRIVER',
      password: 'driver-password-1',
    };
    const invited = await t.gql<{ inviteUser: { role: string; organization: { id: string } } }>({
      query: INVITE,
      variables: { input },
      token: vendor.accessToken,
    });
    expect(invited.errors).toBeUndefined();
    expect(invited.data!.inviteUser).toMatchObject({
      role: 'DRIVER',
      organization: { id: vendor.user.organization.id },
    });
    const driver = await login(input.email, input.password);
    expect(driver.user.role).toBe('DRIVER');

    const byDriver = await t.gql({
      query: INVITE,
      variables: { input: { ...input, email: `x.${input.email}` } },
      token: driver.accessToken,
    });
    expect(byDriver.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses a role that does not belong to the organization kind, naming the field', async () => {
    const hospital = await register('HOSPITAL');
    const input = {
      email: `d.${hospital.input.email}`,
      name: 'Nope',
      role: 'DRIVER',
      password: 'driver-password-1',
    };
    const result = await t.gql({ query: INVITE, variables: { input }, token: hospital.accessToken });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.role' });
  });

  it('requires a signed-in caller', async () => {
    const input = {
      email: 'anon@example.org',
      name: 'Anon',
      role: 'HOSPITAL_STAFF',
      password: 'staff-password-1',
    };
    const result = await t.gql({ query: INVITE, variables: { input } });
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('approve and suspend organizations', () => {
  it('lets a platform admin approve a pending vendor, once', async () => {
    const vendor = await register('VENDOR');
    const id = vendor.user.organization.id;
    const byVendor = await t.gql({ query: APPROVE, variables: { id }, token: vendor.accessToken });
    expect(byVendor.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const approved = await t.gql<{ approveOrganization: { status: string } }>({
      query: APPROVE,
      variables: { id },
      token: adminToken,
    });
    expect(approved.data?.approveOrganization.status).toBe('ACTIVE');
    const again = await t.gql({ query: APPROVE, variables: { id }, token: adminToken });
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('suspends an organization: its users cannot sign in and their sessions end', async () => {
    const hospital = await register('HOSPITAL');
    const id = hospital.user.organization.id;
    const suspended = await t.gql<{ suspendOrganization: { status: string; suspendedReason: string } }>({
      query: SUSPEND,
      variables: { id, reason: 'Unpaid invoices' },
      token: adminToken,
    });
    expect(suspended.data?.suspendOrganization).toMatchObject({
      status: 'SUSPENDED',
      suspendedReason: 'Unpaid invoices',
    });

    const loginAgain = await t.gql({
      query: LOGIN,
      variables: { email: hospital.input.email, password: hospital.input.password },
    });
    expect(loginAgain.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const refresh = await t.gql({ query: REFRESH, variables: { refreshToken: hospital.refreshToken } });
    expect(refresh.errors?.[0]?.extensions?.code).toBe('INVALID_REFRESH_TOKEN');

    const reinstated = await t.gql<{ approveOrganization: { status: string; suspendedReason: null } }>({
      query: APPROVE,
      variables: { id },
      token: adminToken,
    });
    expect(reinstated.data?.approveOrganization).toEqual({ id, status: 'ACTIVE', suspendedReason: null });
  });

  it('names bad ids and reasons, and cannot suspend the platform itself', async () => {
    const badId = await t.gql({
      query: SUSPEND,
      variables: { id: 'not-a-uuid', reason: 'x' },
      token: adminToken,
    });
    expect(badId.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    const hospital = await register('HOSPITAL');
    const noReason = await t.gql({
      query: SUSPEND,
      variables: { id: hospital.user.organization.id, reason: '  ' },
      token: adminToken,
    });
    expect(noReason.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    const missing = await t.gql({
      query: APPROVE,
      variables: { id: '00000000-0000-4000-8000-000000000000' },
      token: adminToken,
    });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const admin = await login(t.admin.email, t.admin.password);
    const platform = await t.gql({
      query: SUSPEND,
      variables: { id: admin.user.organization.id, reason: 'oops' },
      token: adminToken,
    });
    expect(platform.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });
});

describe('organization queries', () => {
  it('pages through organizations newest first with a stable total, filtered by kind', async () => {
    for (let i = 0; i < 3; i++) await register('VENDOR');
    const seen: string[] = [];
    let after: string | null = null;
    let total = -1;
    for (let page = 0; page < 20; page++) {
      const result: {
        data?: {
          organizations: {
            totalCount: number;
            edges: { node: { id: string; kind: string } }[];
            pageInfo: { hasNextPage: boolean; endCursor: string };
          };
        } | null;
      } = await t.gql({
        query: ORGANIZATIONS,
        variables: { kind: 'VENDOR', first: 2, after },
        token: adminToken,
      });
      const connection = result.data!.organizations;
      total = connection.totalCount;
      seen.push(...connection.edges.map((e) => e.node.id));
      expect(connection.edges.every((e) => e.node.kind === 'VENDOR')).toBe(true);
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(total).toBeGreaterThanOrEqual(3);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
  });

  it('is for platform admins only, and names bad paging arguments', async () => {
    const hospital = await register('HOSPITAL');
    const denied = await t.gql({ query: ORGANIZATIONS, variables: {}, token: hospital.accessToken });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const tooMany = await t.gql({ query: ORGANIZATIONS, variables: { first: 1000 }, token: adminToken });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const badCursor = await t.gql({ query: ORGANIZATIONS, variables: { after: 'nope' }, token: adminToken });
    expect(badCursor.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('shows an organization’s people only to its admins and platform admins', async () => {
    const hospital = await register('HOSPITAL');
    const vendor = await register('VENDOR');
    const id = hospital.user.organization.id;
    const own = await t.gql<{ organization: { users: { totalCount: number } } }>({
      query: ORGANIZATION,
      variables: { id },
      token: hospital.accessToken,
    });
    expect(own.data?.organization.users.totalCount).toBe(1);
    const byAdmin = await t.gql({ query: ORGANIZATION, variables: { id }, token: adminToken });
    expect(byAdmin.errors).toBeUndefined();
    const byVendor = await t.gql<{ organization: null }>({
      query: ORGANIZATION,
      variables: { id },
      token: vendor.accessToken,
    });
    expect(byVendor.errors?.[0]).toMatchObject({
      path: ['organization', 'users'],
      extensions: { code: 'FORBIDDEN' },
    });
    const anonymous = await t.gql({ query: ORGANIZATION, variables: { id } });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('hides a user’s email from other organizations when resolved as an entity', async () => {
    const hospital = await register('HOSPITAL');
    const vendor = await register('VENDOR');
    const query = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name email } } }`;
    const variables = { r: [{ __typename: 'User', id: hospital.user.id }] };
    const other = await t.gql({ query, variables, token: vendor.accessToken });
    expect(other.errors?.[0]).toMatchObject({
      path: ['_entities', 0, 'email'],
      extensions: { code: 'FORBIDDEN' },
    });
    const own = await t.gql<{ _entities: { email: string }[] }>({
      query,
      variables,
      token: hospital.accessToken,
    });
    expect(own.data?._entities[0]?.email).toBe(hospital.input.email);
  });
});
