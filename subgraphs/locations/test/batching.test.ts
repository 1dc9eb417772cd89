import {
  createTestEnvironment,
  colleague,
  newViewer,
  type LocationsTestEnvironment,
  type TestViewer,
} from './support';
import { CREATE_SITE, ENTITIES, GRANT_SITE_ACCESS, siteInput } from './queries';

// Entity references from other subgraphs (inventory's stock levels, pricing's offers, orders)
// arrive as lists; they must cost a fixed number of statements however long the list is.
describe('entity resolution batching', () => {
  let t: LocationsTestEnvironment;
  const statements: string[] = [];
  const platformAdmin = newViewer('PLATFORM', 'PLATFORM_ADMIN');
  const hospital = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
  const siteIds: string[] = [];
  const hospitalSiteIds: string[] = [];
  const vendors: TestViewer[] = [];

  async function createSite(viewer: TestViewer, input: Record<string, unknown>): Promise<string> {
    const result = await t.gql<{ createSite: { id: string } }>({
      query: CREATE_SITE,
      variables: { input },
      token: await t.as(viewer),
    });
    return result.data!.createSite.id;
  }

  beforeAll(async () => {
    t = await createTestEnvironment({}, { onQuery: (sql) => statements.push(sql) });
    for (let v = 0; v < 10; v++) {
      const vendor = newViewer('VENDOR', 'VENDOR_ADMIN');
      vendors.push(vendor);
      for (let d = 0; d < 3; d++)
        siteIds.push(await createSite(vendor, siteInput('DEPOT', { position: { lat: v, lng: d } })));
    }
    const orders = await t.ordersService(null);
    for (let h = 0; h < 30; h++) {
      const id = await createSite(hospital, siteInput('HOSPITAL_SITE', { position: { lat: h, lng: 1 } }));
      hospitalSiteIds.push(id);
      await orders.mutate(GRANT_SITE_ACCESS, { siteId: id, organizationId: vendors[0]!.organizationId });
    }
  });
  afterAll(() => t?.stop());

  type Representation = { __typename: string; id: string };

  /** Statements one _entities request costs, as `viewer` (through the router) or as the orders service. */
  async function statementsFor(
    representations: Representation[],
    caller: TestViewer | 'orders' = platformAdmin,
  ): Promise<number> {
    const ids = representations.map((r) => r.id);
    if (caller === 'orders') {
      const orders = await t.ordersService(null);
      statements.length = 0;
      const data = await orders.query<{ _entities: { id: string }[] }>(ENTITIES, { representations });
      expect(data._entities.map((entity) => entity.id)).toEqual(ids);
      return statements.length;
    }
    const token = await t.as(caller);
    statements.length = 0;
    const result = await t.gql<{ _entities: { id: string }[] }>({
      query: ENTITIES,
      variables: { representations },
      token,
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities.map((entity) => entity.id)).toEqual(ids);
    return statements.length;
  }

  const asSites = (ids: string[]) => ids.map((id) => ({ __typename: 'Site', id }));

  it('resolves 1 and 30 Site references with the same number of statements', async () => {
    const sites = asSites(siteIds);
    expect(sites).toHaveLength(30);
    const one = await statementsFor(sites.slice(0, 1));
    const thirty = await statementsFor(sites);
    expect(one).toBe(1);
    expect(thirty).toBe(one);
  });

  it('checks the grants of 1 and 30 hospital sites for a vendor with one more statement in all', async () => {
    const sites = asSites(hospitalSiteIds);
    for (const viewer of [colleague(vendors[0]!, 'VENDOR_STAFF'), colleague(vendors[0]!, 'DRIVER')]) {
      const one = await statementsFor(sites.slice(0, 1), viewer);
      const thirty = await statementsFor(sites, viewer);
      expect(one).toBe(2);
      expect(thirty).toBe(one);
    }
    // Depots need no grant, so a mixed list costs the same.
    const mixed = asSites([...hospitalSiteIds, ...siteIds]);
    expect(await statementsFor(mixed, vendors[0]!)).toBe(2);
  });

  it('costs the same for a vendor without grants, whose references are all hidden', async () => {
    const count = async (ids: string[]) => {
      const token = await t.as(vendors[1]!);
      statements.length = 0;
      const result = await t.gql<{ _entities: unknown[] }>({
        query: ENTITIES,
        variables: { representations: asSites(ids) },
        token,
      });
      expect(result.data!._entities).toEqual(ids.map(() => null));
      expect(result.errors).toBeUndefined();
      return statements.length;
    };
    const one = await count(hospitalSiteIds.slice(0, 1));
    expect(one).toBe(2);
    expect(await count(hospitalSiteIds)).toBe(one);
  });

  it('reads no grants for the orders service', async () => {
    const sites = asSites(hospitalSiteIds);
    const one = await statementsFor(sites.slice(0, 1), 'orders');
    expect(one).toBe(1);
    expect(await statementsFor(sites, 'orders')).toBe(one);
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
