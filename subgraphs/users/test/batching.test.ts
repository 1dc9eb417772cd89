import { createTestEnvironment, type UsersTestEnvironment } from './environment';
import { LOGIN, REGISTER, registration, type AuthPayload } from './queries';

// Entity references from other subgraphs arrive as lists; they must cost a fixed number of
// statements however long the list is.
describe('entity resolution batching', () => {
  let t: UsersTestEnvironment;
  const statements: string[] = [];
  let adminToken: string;
  const userIds: string[] = [];

  beforeAll(async () => {
    t = await createTestEnvironment({}, { onQuery: (sql) => statements.push(sql) });
    for (let i = 0; i < 12; i++) {
      const result = await t.gql<{ registerOrganization: AuthPayload }>({
        query: REGISTER,
        variables: { input: registration('HOSPITAL') },
      });
      userIds.push(result.data!.registerOrganization.user.id);
    }
    const login = await t.gql<{ login: AuthPayload }>({
      query: LOGIN,
      variables: { email: t.admin.email, password: t.admin.password },
    });
    adminToken = login.data!.login.accessToken;
  });
  afterAll(() => t?.stop());

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
