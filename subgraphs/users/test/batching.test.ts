import { createTestEnvironment, type UsersTestEnvironment } from './environment';
import { LOGIN, REGISTER, registration, type AuthPayload } from './queries';

let t: UsersTestEnvironment;
const statements: string[] = [];
let adminToken: string;

beforeAll(async () => {
  t = await createTestEnvironment({}, { onQuery: (sql) => statements.push(sql) });
  const login = await t.gql<{ login: AuthPayload }>({
    query: LOGIN,
    variables: { email: t.admin.email, password: t.admin.password },
  });
  adminToken = login.data!.login.accessToken;
});
afterAll(() => t?.stop());

async function registerHospital(): Promise<AuthPayload> {
  const result = await t.gql<{ registerOrganization: AuthPayload }>({
    query: REGISTER,
    variables: { input: registration('HOSPITAL') },
  });
  expect(result.errors).toBeUndefined();
  return result.data!.registerOrganization;
}

/**
 * `count` more people in the organization, written directly (inviting hashes a password each).
 * Every three share a creation time, so the id must break ties in the order.
 */
async function addPeople(organizationId: string, count: number): Promise<void> {
  await t.sql(
    `INSERT INTO users (id, organization_id, email, name, role, password_hash, created_at, updated_at)
     SELECT gen_random_uuid(), $1::uuid, 'person' || g || '.' || $1 || '@example.org', 'Person ' || g,
            'HOSPITAL_STAFF', 'not-a-hash', now() + (g / 3) * interval '1 millisecond', now()
     FROM generate_series(1, $2::int) g`,
    [organizationId, count],
  );
}

/** The statements one request costs, with its answer. */
async function measured<Data>(query: string, token: string, variables: Record<string, unknown> = {}) {
  statements.length = 0;
  const result = await t.gql<Data>({ query, variables, token });
  expect(result.errors).toBeUndefined();
  return { statements: statements.length, data: result.data! };
}

// Entity references from other subgraphs arrive as lists; they must cost a fixed number of
// statements however long the list is.
describe('entity resolution batching', () => {
  const userIds: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 12; i++) userIds.push((await registerHospital()).user.id);
  });

  async function statementsFor(ids: string[]): Promise<number> {
    statements.length = 0;
    const result = await t.gql<{ _entities: { id: string; organization: { id: string; name: string } }[] }>({
      query:
        'query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name organization { id name } } } }',
      variables: { r: ids.map((id) => ({ __typename: 'User', id })) },
      token: adminToken,
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities.map((u) => u.id)).toEqual(ids);
    return statements.filter((sql) => /^\s*SELECT/i.test(sql)).length;
  }

  it('uses the same number of SELECTs for 1 user and for 12 users with their organizations', async () => {
    const one = await statementsFor(userIds.slice(0, 1));
    const twelve = await statementsFor(userIds);
    expect(one).toBeGreaterThan(0);
    expect(twelve).toBe(one);
  });
});

interface UserPage {
  totalCount: number;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  edges: { cursor: string; node: { id: string } }[];
}

const PAGE_FIELDS =
  'totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }';

// The issue's case: a hospital admin's organization → users → organization → users ... cost one
// findMany and one count per parent, 11,510 statements for three levels of 40.
describe('Organization.users batching', () => {
  const level = (inner: string) => `users(first: 40) { totalCount edges { node { id ${inner} } } }`;
  // The third level's pages are fetched like the others; asking for their cursors rather than
  // their 64,000 nodes keeps the test from timing graphql-js on a busy machine.
  const THREE_LEVELS = `query { me { organization { ${level(
    `organization { ${level('organization { users(first: 40) { totalCount pageInfo { hasNextPage endCursor } } }')} }`,
  )} } } }`;
  let small: AuthPayload;
  let big: AuthPayload;
  const hospitals: AuthPayload[] = [];

  beforeAll(async () => {
    small = await registerHospital();
    await addPeople(small.user.organization.id, 3);
    big = await registerHospital();
    await addPeople(big.user.organization.id, 40);
    for (let i = 0; i < 12; i++) {
      const hospital = await registerHospital();
      await addPeople(hospital.user.organization.id, i % 4);
      hospitals.push(hospital);
    }
  });

  type ThreeLevels = {
    me: { organization: { users: { totalCount: number; edges: { node: { organization: unknown } }[] } } };
  };

  it('answers the three-level query of an admin with 3 and with 40 invited users in the same few statements', async () => {
    const few = await measured<ThreeLevels>(THREE_LEVELS, small.accessToken);
    const many = await measured<ThreeLevels>(THREE_LEVELS, big.accessToken);
    expect(few.data.me.organization.users.totalCount).toBe(4);
    expect(many.data.me.organization.users.totalCount).toBe(41);
    expect(many.data.me.organization.users.edges).toHaveLength(40);
    // me, its organization, the page's ids, the page's people, the count: every deeper level is
    // the same page of the same organization, which the loader already holds.
    expect(few.statements).toBe(5);
    expect(many.statements).toBe(few.statements);
  });

  it('pages the people of 2 and of 12 organizations, two levels deep, in the same statements', async () => {
    const query = /* GraphQL */ `
      query ($first: Int!) {
        organizations(kind: HOSPITAL, first: $first) { edges { node { id
          users(first: 2) { ${PAGE_FIELDS} edges { node { organization { id users(first: 1) { totalCount edges { node { id } } } } } } }
        } } }
      }
    `;
    type Answer = { organizations: { edges: { node: { id: string; users: UserPage } }[] } };
    const two = await measured<Answer>(query, adminToken, { first: 2 });
    const twelve = await measured<Answer>(query, adminToken, { first: 12 });
    expect(two.data.organizations.edges).toHaveLength(2);
    expect(twelve.data.organizations.edges).toHaveLength(12);
    for (const { node } of twelve.data.organizations.edges) {
      const [people] = await t.sql<{ count: number }>(
        'SELECT count(*)::int AS count FROM users WHERE organization_id = $1::uuid',
        [node.id],
      );
      expect(node.users.totalCount).toBe(people!.count);
      expect(node.users.edges).toHaveLength(Math.min(2, people!.count));
    }
    // The organizations page and its count, the people's organizations (one loader), then ids,
    // people and counts for each of the two page shapes (first: 2, first: 1).
    expect(two.statements).toBe(9);
    expect(twelve.statements).toBe(two.statements);
  });

  it('pages the people of 1 and of 12 organization references (Order.hospital, say) in the same statements', async () => {
    const query = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { id users(first: 3) { ${PAGE_FIELDS} } } } }`;
    const references = (some: AuthPayload[]) => ({
      r: some.map((hospital) => ({ __typename: 'Organization', id: hospital.user.organization.id })),
    });
    type Answer = { _entities: { id: string; users: UserPage }[] };
    const one = await measured<Answer>(query, adminToken, references(hospitals.slice(0, 1)));
    const twelve = await measured<Answer>(query, adminToken, references(hospitals));
    expect(twelve.data._entities.map((o) => o.users.totalCount)).toEqual(
      hospitals.map((_, i) => 1 + (i % 4)),
    );
    // The organizations, then the page's ids, its people and the counts.
    expect(one.statements).toBe(4);
    expect(twelve.statements).toBe(one.statements);
  });

  it('keeps the order, cursors and page info of one organization', async () => {
    const organizationId = big.user.organization.id;
    const expected = (
      await t.sql<{ id: string }>(
        'SELECT id::text FROM users WHERE organization_id = $1::uuid ORDER BY created_at, id',
        [organizationId],
      )
    ).map((row) => row.id);
    expect(expected).toHaveLength(41);

    const seen: string[] = [];
    let after: string | null = null;
    for (let index = 0; ; index++) {
      const { data } = await measured<{ organization: { users: UserPage } }>(
        `query ($id: ID!, $after: String) { organization(id: $id) { users(first: 7, after: $after) { ${PAGE_FIELDS} } } }`,
        big.accessToken,
        { id: organizationId, after },
      );
      const page: UserPage = data.organization.users;
      expect(page.totalCount).toBe(41);
      expect(page.pageInfo.hasPreviousPage).toBe(index > 0);
      expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
      expect(page.pageInfo.endCursor).toBe(page.edges[page.edges.length - 1]?.cursor ?? null);
      seen.push(...page.edges.map((edge) => edge.node.id));
      expect(page.pageInfo.hasNextPage).toBe(seen.length < 41);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
  });

  it('answers different pages of several organizations asked in one request each on its own', async () => {
    const firstPage = await measured<{ organization: { users: UserPage } }>(
      `query ($id: ID!) { organization(id: $id) { users(first: 5) { ${PAGE_FIELDS} } } }`,
      adminToken,
      { id: big.user.organization.id },
    );
    const cursor = firstPage.data.organization.users.pageInfo.endCursor;
    const all = (
      await t.sql<{ id: string; organization_id: string }>(
        'SELECT id::text, organization_id::text FROM users WHERE organization_id = ANY($1::uuid[]) ORDER BY created_at, id',
        [[big.user.organization.id, small.user.organization.id]],
      )
    ).reduce<Record<string, string[]>>((byOrganization, row) => {
      (byOrganization[row.organization_id] ??= []).push(row.id);
      return byOrganization;
    }, {});
    const { data } = await measured<Record<string, { a: UserPage; b: UserPage; c: UserPage }>>(
      `query ($big: ID!, $small: ID!, $after: String) {
        big: organization(id: $big) { a: users(first: 2) { ${PAGE_FIELDS} } b: users(first: 3, after: $after) { ${PAGE_FIELDS} } c: users(first: 100, after: $after) { ${PAGE_FIELDS} } }
        small: organization(id: $small) { a: users(first: 2) { ${PAGE_FIELDS} } b: users(first: 3, after: $after) { ${PAGE_FIELDS} } c: users(first: 100, after: $after) { ${PAGE_FIELDS} } }
      }`,
      adminToken,
      { big: big.user.organization.id, small: small.user.organization.id, after: cursor },
    );
    const ids = (page: UserPage) => page.edges.map((edge) => edge.node.id);
    const bigIds = all[big.user.organization.id]!;
    const smallIds = all[small.user.organization.id]!;
    expect(ids(data.big!.a)).toEqual(bigIds.slice(0, 2));
    expect(ids(data.big!.b)).toEqual(bigIds.slice(5, 8));
    expect(ids(data.big!.c)).toEqual(bigIds.slice(5));
    expect(data.big!.c.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(ids(data.small!.a)).toEqual(smallIds.slice(0, 2));
    // The cursor is of a person created after all of the small organization's (it registered
    // first), so there is no one after it there.
    expect(ids(data.small!.b)).toEqual([]);
    expect(data.small!.c).toMatchObject({
      totalCount: 4,
      pageInfo: { hasNextPage: false, startCursor: null },
    });
  });

  it('refuses a forged cursor whose id is not a uuid as BAD_USER_INPUT on after, with no SQL error', async () => {
    const forged = Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', 'nope'])).toString('base64url');
    const result = await t.gql({
      query:
        'query ($id: ID!, $after: String) { organization(id: $id) { users(after: $after) { totalCount } } }',
      variables: { id: big.user.organization.id, after: forged },
      token: adminToken,
    });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
