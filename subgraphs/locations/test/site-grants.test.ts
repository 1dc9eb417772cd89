import { greatCircleKm } from '../src/geo/distance';
import {
  createTestEnvironment,
  colleague,
  newViewer,
  type LocationsTestEnvironment,
  type TestViewer,
} from './support';
import {
  CREATE_SITE,
  ENTITIES,
  ETA,
  GRANT_SITE_ACCESS,
  ROUTE,
  SITE,
  SITES,
  siteInput,
  type RouteResult,
  type SiteConnectionResult,
  type SiteResult,
} from './queries';

// A hospital orders from a vendor: the orders service grants the vendor access to the delivery
// site, so its staff and drivers can see where they deliver and how far it is.
let t: LocationsTestEnvironment;

const hospitalAdmin = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
const vendorAdmin = newViewer('VENDOR', 'VENDOR_ADMIN');
const vendorStaff = colleague(vendorAdmin, 'VENDOR_STAFF');
const driver = colleague(vendorAdmin, 'DRIVER');
const otherVendor = newViewer('VENDOR', 'VENDOR_ADMIN');
const otherHospital = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
const platformAdmin = newViewer('PLATFORM', 'PLATFORM_ADMIN');

const WARD = { lat: -1.3, lng: 36.8 };
const DEPOT = { lat: -1.05, lng: 37.1 };
const TRUCK = { lat: -1.2, lng: 36.9 };

let ward: SiteResult;
let annex: SiteResult;
let depot: SiteResult;

async function create(viewer: TestViewer, input: Record<string, unknown>): Promise<SiteResult> {
  const result = await t.gql<{ createSite: SiteResult }>({
    query: CREATE_SITE,
    variables: { input },
    token: await t.as(viewer),
  });
  expect(result.errors).toBeUndefined();
  return result.data!.createSite;
}

beforeAll(async () => {
  t = await createTestEnvironment();
  ward = await create(hospitalAdmin, siteInput('HOSPITAL_SITE', { position: WARD }));
  annex = await create(hospitalAdmin, siteInput('HOSPITAL_SITE', { position: WARD }));
  depot = await create(vendorAdmin, siteInput('DEPOT', { position: DEPOT }));
});
afterAll(() => t?.stop());

function expectedRoute(from: { lat: number; lng: number }, to: { lat: number; lng: number }): RouteResult {
  const distanceKm = Math.round(greatCircleKm(from, to) * 1.3 * 100) / 100;
  return { distanceKm, durationMinutes: Math.ceil((distanceKm / 50) * 60) };
}

/** Everything a viewer may ask about one site: by id, as a reference, as a route end, as an ETA target. */
async function readsOf(viewer: TestViewer, siteId: string) {
  const token = await t.as(viewer);
  const [site, entities, route, eta] = await Promise.all([
    t.gql<{ site: SiteResult | null }>({ query: SITE, variables: { id: siteId }, token }),
    t.gql<{ _entities: ({ id: string } | null)[] }>({
      query: ENTITIES,
      variables: { representations: [{ __typename: 'Site', id: siteId }] },
      token,
    }),
    t.gql<{ route: RouteResult }>({ query: ROUTE, variables: { from: depot.id, to: siteId }, token }),
    t.gql<{ eta: RouteResult }>({ query: ETA, variables: { from: TRUCK, to: siteId }, token }),
  ]);
  return { site, entities, route, eta };
}

async function expectHidden(viewer: TestViewer, site: SiteResult) {
  const reads = await readsOf(viewer, site.id);
  expect(reads.site.data?.site).toBeNull();
  expect(reads.entities.data?._entities).toEqual([null]);
  expect(reads.route.data?.route).toBeNull();
  expect(reads.eta.data?.eta).toBeNull();
  // Exactly as for a site that does not exist: reads give null, routes NOT_FOUND.
  expect(reads.site.errors).toBeUndefined();
  expect(reads.entities.errors).toBeUndefined();
  for (const result of [reads.route, reads.eta])
    expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
  for (const result of Object.values(reads)) {
    expect(JSON.stringify(result)).not.toContain(site.name);
  }
}

async function expectVisible(viewer: TestViewer, site: SiteResult) {
  const reads = await readsOf(viewer, site.id);
  for (const result of Object.values(reads)) expect(result.errors).toBeUndefined();
  expect(reads.site.data!.site).toEqual(site);
  expect(reads.entities.data!._entities).toEqual([expect.objectContaining({ id: site.id, name: site.name })]);
  expect(reads.route.data!.route).toEqual(expectedRoute(DEPOT, site.position));
  expect(reads.eta.data!.eta).toEqual(expectedRoute(TRUCK, site.position));
}

async function grantAs(viewer: TestViewer | null, siteId: string, organizationId: string) {
  return t.gql<{ grantSiteAccess: boolean }>({
    query: GRANT_SITE_ACCESS,
    variables: { siteId, organizationId },
    token: viewer ? await t.as(viewer) : undefined,
  });
}

const grantsOf = (siteId: string) =>
  t.sql<{ organization_id: string; granted_by_service: string | null; granted_by_user_id: string | null }>(
    'SELECT organization_id, granted_by_service, granted_by_user_id FROM site_access_grants WHERE site_id = $1',
    [siteId],
  );

/** The code SubgraphClient's error carries (it passes the callee's caller-facing codes through). */
async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return (error as { extensions?: { code?: string } }).extensions?.code;
  }
  throw new Error('expected an error');
}

describe('before any grant', () => {
  it('hides a hospital site from the vendor’s admin, staff and drivers', async () => {
    for (const viewer of [vendorAdmin, vendorStaff, driver]) await expectHidden(viewer, ward);
  });
});

describe('the orders service', () => {
  it('sees every site, with no viewer (a background job) or on behalf of one who could not', async () => {
    for (const viewer of [null, driver]) {
      const orders = await t.ordersService(viewer);
      const { site } = await orders.query<{ site: SiteResult }>(SITE, { id: ward.id });
      expect(site).toEqual(ward);
      const { _entities } = await orders.query<{ _entities: { id: string }[] }>(ENTITIES, {
        representations: [{ __typename: 'Site', id: annex.id }],
      });
      expect(_entities).toEqual([expect.objectContaining({ id: annex.id, name: annex.name })]);
      const { route } = await orders.query<{ route: RouteResult }>(ROUTE, { from: depot.id, to: ward.id });
      expect(route).toEqual(expectedRoute(DEPOT, WARD));
      const { eta } = await orders.query<{ eta: RouteResult }>(ETA, { from: TRUCK, to: ward.id });
      expect(eta).toEqual(expectedRoute(TRUCK, WARD));
    }
  });

  it('still needs a viewer to list sites (lists are the viewer’s own)', async () => {
    const orders = await t.ordersService(null);
    expect(await codeOf(orders.query(SITES, { organizationId: hospitalAdmin.organizationId }))).toBe(
      'UNAUTHENTICATED',
    );
  });
});

describe('grantSiteAccess', () => {
  it('is FORBIDDEN to hospital users, vendors and drivers, and changes nothing', async () => {
    for (const viewer of [
      hospitalAdmin,
      colleague(hospitalAdmin, 'HOSPITAL_STAFF'),
      vendorAdmin,
      vendorStaff,
      driver,
    ]) {
      const result = await grantAs(viewer, ward.id, vendorAdmin.organizationId);
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(result.data).toBeNull();
    }
    expect((await grantAs(null, ward.id, vendorAdmin.organizationId)).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
    expect(await grantsOf(ward.id)).toEqual([]);
  });

  it('gives an unsigned call that claims to be the orders service no power', async () => {
    const claim = { 'x-flow-service': 'orders' };
    const asVendor = await t.gql({
      query: GRANT_SITE_ACCESS,
      variables: { siteId: ward.id, organizationId: vendorAdmin.organizationId },
      token: await t.as(vendorAdmin),
      headers: claim,
    });
    expect(asVendor.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await t.gql({
      query: GRANT_SITE_ACCESS,
      variables: { siteId: ward.id, organizationId: vendorAdmin.organizationId },
      headers: claim,
    });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const read = await t.gql({ query: SITE, variables: { id: ward.id }, headers: claim });
    expect(read.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const readAsDriver = await t.gql({
      query: SITE,
      variables: { id: ward.id },
      token: await t.as(driver),
      headers: claim,
    });
    expect(readAsDriver.errors).toBeUndefined();
    expect((readAsDriver.data as { site: unknown } | null)?.site).toBeNull();
    expect(JSON.stringify([read, readAsDriver])).not.toContain(ward.name);
    expect(await grantsOf(ward.id)).toEqual([]);
  });

  it('refuses a call signed with another secret', async () => {
    const forged = await t.ordersService(null, 'not-the-router-secret-but-long-enough');
    expect(
      await codeOf(
        forged.mutate(GRANT_SITE_ACCESS, { siteId: ward.id, organizationId: vendorAdmin.organizationId }),
      ),
    ).toBe('UNAUTHENTICATED');
    expect(await codeOf(forged.query(SITE, { id: ward.id }))).toBe('UNAUTHENTICATED');
    expect(await grantsOf(ward.id)).toEqual([]);
  });

  it('checks its arguments and names a missing site', async () => {
    const orders = await t.ordersService(null);
    const bad = async (variables: Record<string, unknown>) => {
      try {
        await orders.mutate(GRANT_SITE_ACCESS, variables);
      } catch (error) {
        return (error as { extensions?: unknown }).extensions;
      }
      throw new Error('expected an error');
    };
    expect(await bad({ siteId: 'x', organizationId: vendorAdmin.organizationId })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'siteId',
    });
    expect(await bad({ siteId: ward.id, organizationId: 'nope' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'organizationId',
    });
    expect(
      await bad({
        siteId: '00000000-0000-4000-8000-000000000000',
        organizationId: vendorAdmin.organizationId,
      }),
    ).toMatchObject({ code: 'NOT_FOUND', entity: 'Site' });
  });

  it('lets the orders service open a site to the vendor, idempotently', async () => {
    const background = await t.ordersService(null);
    const variables = { siteId: ward.id, organizationId: vendorAdmin.organizationId };
    expect(await background.mutate(GRANT_SITE_ACCESS, variables)).toEqual({ grantSiteAccess: true });
    expect(await background.mutate(GRANT_SITE_ACCESS, variables)).toEqual({ grantSiteAccess: true });
    const onBehalf = await t.ordersService(colleague(hospitalAdmin, 'HOSPITAL_STAFF'));
    expect(await onBehalf.mutate(GRANT_SITE_ACCESS, variables)).toEqual({ grantSiteAccess: true });
    // One grant, recorded as the first call made it.
    expect(await grantsOf(ward.id)).toEqual([
      { organization_id: vendorAdmin.organizationId, granted_by_service: 'orders', granted_by_user_id: null },
    ]);
  });

  it('then shows the site to the vendor’s admin, staff and drivers, with route and ETA', async () => {
    for (const viewer of [vendorAdmin, vendorStaff, driver]) await expectVisible(viewer, ward);
  });

  it('opens only that site, only to that vendor', async () => {
    for (const viewer of [otherVendor, colleague(otherVendor, 'DRIVER'), otherHospital])
      await expectHidden(viewer, ward);
    for (const viewer of [vendorAdmin, driver]) await expectHidden(viewer, annex);
  });

  it('does not list the granted site among the hospital’s sites (lists stay the owner’s)', async () => {
    const result = await t.gql<{ sites: SiteConnectionResult }>({
      query: SITES,
      variables: { organizationId: hospitalAdmin.organizationId },
      token: await t.as(vendorStaff),
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!.sites.totalCount).toBe(0);
    expect(result.data!.sites.edges).toEqual([]);
  });

  it('resolves a list of references with an error for each site not granted, alone', async () => {
    const result = await t.gql<{ _entities: ({ id: string } | null)[] }>({
      query: ENTITIES,
      variables: {
        representations: [
          { __typename: 'Site', id: ward.id },
          { __typename: 'Site', id: annex.id },
          { __typename: 'Site', id: depot.id },
        ],
      },
      token: await t.as(driver),
    });
    expect(result.data!._entities).toEqual([
      expect.objectContaining({ id: ward.id }),
      null,
      expect.objectContaining({ id: depot.id }),
    ]);
    expect(result.errors).toBeUndefined();
  });

  it('may be granted by a platform admin directly', async () => {
    const result = await grantAs(platformAdmin, annex.id, otherVendor.organizationId);
    expect(result.errors).toBeUndefined();
    expect(result.data!.grantSiteAccess).toBe(true);
    expect(await grantsOf(annex.id)).toEqual([
      {
        organization_id: otherVendor.organizationId,
        granted_by_service: null,
        granted_by_user_id: platformAdmin.userId,
      },
    ]);
    await expectVisible(colleague(otherVendor, 'DRIVER'), annex);
    await expectHidden(otherVendor, ward);
  });
});
