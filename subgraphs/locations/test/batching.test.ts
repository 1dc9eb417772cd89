import { createTestEnvironment, newViewer, type LocationsTestEnvironment, type TestViewer } from './support';
import { CREATE_SITE, ENTITIES, siteInput } from './queries';

// Entity references from other subgraphs (inventory's stock levels, pricing's offers, orders)
// arrive as lists; they must cost a fixed number of statements however long the list is.
describe('entity resolution batching', () => {
  let t: LocationsTestEnvironment;
  const statements: string[] = [];
  const platformAdmin = newViewer('PLATFORM', 'PLATFORM_ADMIN');
  const siteIds: string[] = [];
  const vendors: TestViewer[] = [];

  beforeAll(async () => {
    t = await createTestEnvironment({}, { onQuery: (sql) => statements.push(sql) });
    for (let v = 0; v < 10; v++) {
      const vendor = newViewer('VENDOR', 'VENDOR_ADMIN');
      vendors.push(vendor);
      const token = await t.as(vendor);
      for (let d = 0; d < 3; d++) {
        const result = await t.gql<{ createSite: { id: string } }>({
          query: CREATE_SITE,
          variables: { input: siteInput('DEPOT', { position: { lat: v, lng: d } }) },
          token,
        });
        siteIds.push(result.data!.createSite.id);
      }
    }
  });
  afterAll(() => t?.stop());

  async function statementsFor(representations: { __typename: string; id: string }[]): Promise<number> {
    statements.length = 0;
    const result = await t.gql<{ _entities: { id: string }[] }>({
      query: ENTITIES,
      variables: { representations },
      token: await t.as(platformAdmin),
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities.map((entity) => entity.id)).toEqual(representations.map((r) => r.id));
    return statements.length;
  }

  it('resolves 1 and 30 Site references with the same number of statements', async () => {
    const sites = siteIds.map((id) => ({ __typename: 'Site', id }));
    expect(sites).toHaveLength(30);
    const one = await statementsFor(sites.slice(0, 1));
    const thirty = await statementsFor(sites);
    expect(one).toBe(1);
    expect(thirty).toBe(one);
  });

  it('pages the sites of 1 and 10 organizations with the same number of statements', async () => {
    const organizations = vendors.map((vendor) => ({
      __typename: 'Organization',
      id: vendor.organizationId,
    }));
    const one = await statementsFor(organizations.slice(0, 1));
    const ten = await statementsFor(organizations);
    expect(one).toBe(2);
    expect(ten).toBe(one);
  });
});
