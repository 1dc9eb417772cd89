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
  ETA,
  NEAREST_DEPOTS,
  ROUTE,
  siteInput,
  type RouteResult,
  type SiteResult,
} from './queries';

let t: LocationsTestEnvironment;
const statements: string[] = [];

const hospital = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
const otherHospital = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
const vendorA = newViewer('VENDOR', 'VENDOR_ADMIN');
const vendorB = newViewer('VENDOR', 'VENDOR_ADMIN');

const NAIROBI = { lat: -1.28333, lng: 36.81667 };
const places = {
  thika: { lat: -1.03326, lng: 37.06933 },
  nakuru: { lat: -0.28333, lng: 36.06667 },
  mombasa: { lat: -4.05466, lng: 39.66359 },
  kampala: { lat: 0.31628, lng: 32.58219 },
};

let site: SiteResult;
let foreignSite: SiteResult;
const depots: Record<keyof typeof places, SiteResult> = {} as never;

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
  // Defaults made explicit: the expectations below are computed with them.
  t = await createTestEnvironment(
    { ROAD_FACTOR: '1.3', AVERAGE_SPEED_KPH: '50' },
    { onQuery: (sql) => statements.push(sql) },
  );
  site = await create(hospital, siteInput('HOSPITAL_SITE', { position: NAIROBI }));
  foreignSite = await create(otherHospital, siteInput('HOSPITAL_SITE', { position: places.thika }));
  depots.thika = await create(vendorA, siteInput('DEPOT', { position: places.thika }));
  depots.nakuru = await create(vendorB, siteInput('DEPOT', { position: places.nakuru }));
  depots.mombasa = await create(vendorA, siteInput('DEPOT', { position: places.mombasa }));
  depots.kampala = await create(vendorB, siteInput('DEPOT', { position: places.kampala }));
});
afterAll(() => t?.stop());

/** What the API should answer, from the pure functions' definition. */
function expectedRoute(from: { lat: number; lng: number }, to: { lat: number; lng: number }): RouteResult {
  const distanceKm = Math.round(greatCircleKm(from, to) * 1.3 * 100) / 100;
  return { distanceKm, durationMinutes: Math.ceil((distanceKm / 50) * 60) };
}

async function nearest(viewer: TestViewer, variables: Record<string, unknown>) {
  return t.gql<{
    nearestDepots: {
      depot: { id: string; organization: { id: string } };
      distanceKm: number;
      durationMinutes: number;
    }[];
  }>({
    query: NEAREST_DEPOTS,
    variables,
    token: await t.as(viewer),
  });
}

describe('route', () => {
  it('is the great-circle distance times the road factor, at the average speed', async () => {
    const result = await t.gql<{ route: RouteResult }>({
      query: ROUTE,
      variables: { from: site.id, to: depots.mombasa.id },
      token: await t.as(hospital),
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!.route).toEqual(expectedRoute(NAIROBI, places.mombasa));
    // Nairobi-Mombasa: ~440 km great circle, ~572 km by road, 11.5 hours at 50 km/h.
    expect(result.data!.route.distanceKm).toBeGreaterThan(565);
    expect(result.data!.route.distanceKm).toBeLessThan(580);
    expect(result.data!.route.durationMinutes).toBe(Math.ceil((result.data!.route.distanceKm / 50) * 60));
  });

  it('is zero from a site to itself', async () => {
    const result = await t.gql<{ route: RouteResult }>({
      query: ROUTE,
      variables: { from: site.id, to: site.id },
      token: await t.as(hospital),
    });
    expect(result.data!.route).toEqual({ distanceKm: 0, durationMinutes: 0 });
  });

  it('refuses another organization’s hospital site, at either end', async () => {
    const token = await t.as(hospital);
    for (const variables of [
      { from: site.id, to: foreignSite.id },
      { from: foreignSite.id, to: depots.thika.id },
    ]) {
      const result = await t.gql({ query: ROUTE, variables, token });
      expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      // Query root fields are nullable (router README, "Nullability rule"): null at its path.
      expect(result.data).toEqual({ route: null });
    }
  });

  it('names a missing or malformed site', async () => {
    const token = await t.as(hospital);
    const missing = await t.gql({
      query: ROUTE,
      variables: { from: site.id, to: '00000000-0000-4000-8000-000000000000' },
      token,
    });
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', entity: 'Site' });
    const malformed = await t.gql({ query: ROUTE, variables: { from: 'x', to: site.id }, token });
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'fromSiteId' });
  });
});

describe('eta', () => {
  it('is the route from a position to a site', async () => {
    const truck = { lat: -1.5, lng: 37.2 };
    const result = await t.gql<{ eta: RouteResult }>({
      query: ETA,
      variables: { from: truck, to: site.id },
      token: await t.as(colleague(vendorA, 'DRIVER')),
    });
    // Hospital sites are the hospital's own: a vendor's driver does not see them here.
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const own = await t.gql<{ eta: RouteResult }>({
      query: ETA,
      variables: { from: truck, to: site.id },
      token: await t.as(colleague(hospital, 'HOSPITAL_STAFF')),
    });
    expect(own.data!.eta).toEqual(expectedRoute(truck, NAIROBI));
    const toDepot = await t.gql<{ eta: RouteResult }>({
      query: ETA,
      variables: { from: places.mombasa, to: depots.mombasa.id },
      token: await t.as(colleague(vendorA, 'DRIVER')),
    });
    expect(toDepot.data!.eta).toEqual({ distanceKm: 0, durationMinutes: 0 });
  });

  it('names a bad position', async () => {
    const result = await t.gql({
      query: ETA,
      variables: { from: { lat: -95, lng: 0 }, to: site.id },
      token: await t.as(hospital),
    });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from.lat' });
  });
});

describe('nearestDepots', () => {
  const vendors = () => [vendorA.organizationId, vendorB.organizationId];

  it('lists the vendors’ depots closest first, with road distance and driving time', async () => {
    const result = await nearest(hospital, { siteId: site.id, organizationIds: vendors() });
    expect(result.errors).toBeUndefined();
    const answer = result.data!.nearestDepots;
    expect(answer.map((entry) => entry.depot.id)).toEqual([
      depots.thika.id,
      depots.nakuru.id,
      depots.mombasa.id,
      depots.kampala.id,
    ]);
    for (const [name, place] of Object.entries(places)) {
      const entry = answer.find((e) => e.depot.id === depots[name as keyof typeof places].id)!;
      expect({ distanceKm: entry.distanceKm, durationMinutes: entry.durationMinutes }).toEqual(
        expectedRoute(NAIROBI, place),
      );
    }
    expect(answer[0]!.depot.organization.id).toBe(vendorA.organizationId);
  });

  it('keeps to the given organizations, the distance limit and the count', async () => {
    const ofB = await nearest(hospital, { siteId: site.id, organizationIds: [vendorB.organizationId] });
    expect(ofB.data!.nearestDepots.map((e) => e.depot.id)).toEqual([depots.nakuru.id, depots.kampala.id]);

    // Nakuru is ~140 km away as the crow flies, ~182 km by road; Mombasa ~572 km by road.
    const within200 = await nearest(hospital, { siteId: site.id, maxDistanceKm: 200 });
    expect(within200.data!.nearestDepots.map((e) => e.depot.id)).toEqual([depots.thika.id, depots.nakuru.id]);
    const within100 = await nearest(hospital, {
      siteId: site.id,
      maxDistanceKm: 100,
      organizationIds: vendors(),
    });
    expect(within100.data!.nearestDepots.map((e) => e.depot.id)).toEqual([depots.thika.id]);

    const first = await nearest(hospital, { siteId: site.id, first: 1 });
    expect(first.data!.nearestDepots.map((e) => e.depot.id)).toEqual([depots.thika.id]);
    const none = await nearest(hospital, { siteId: site.id, organizationIds: [] });
    expect(none.data!.nearestDepots).toEqual([]);
  });

  it('leaves the site itself out when it is a depot', async () => {
    const result = await nearest(vendorA, { siteId: depots.thika.id, organizationIds: vendors(), first: 2 });
    expect(result.data!.nearestDepots.map((e) => e.depot.id)).toEqual([depots.nakuru.id, depots.mombasa.id]);
  });

  it('finds depots across the antimeridian', async () => {
    const fijiHospital = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
    const fijiVendor = newViewer('VENDOR', 'VENDOR_ADMIN');
    const east = await create(
      fijiHospital,
      siteInput('HOSPITAL_SITE', { position: { lat: -16.5, lng: 179.95 } }),
    );
    const west = await create(fijiVendor, siteInput('DEPOT', { position: { lat: -16.5, lng: -179.95 } }));
    const result = await nearest(fijiHospital, { siteId: east.id, maxDistanceKm: 25 });
    expect(result.data!.nearestDepots.map((e) => e.depot.id)).toEqual([west.id]);
    expect(result.data!.nearestDepots[0]!.distanceKm).toBeLessThan(25);
  });

  it('refuses another organization’s hospital site as the origin', async () => {
    const result = await nearest(hospital, { siteId: foreignSite.id });
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it.each([
    [{ maxDistanceKm: 0 }, 'maxDistanceKm'],
    [{ maxDistanceKm: -5 }, 'maxDistanceKm'],
    [{ first: 0 }, 'first'],
    [{ organizationIds: ['not-an-id'] }, 'organizationIds[0]'],
  ])('names bad arguments (%j)', async (variables, field) => {
    const result = await nearest(hospital, { siteId: site.id, ...variables });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('costs two statements whatever the number of depots it returns', async () => {
    const countFor = async (first: number) => {
      statements.length = 0;
      const result = await nearest(hospital, { siteId: site.id, organizationIds: vendors(), first });
      expect(result.data!.nearestDepots).toHaveLength(first);
      return statements.length;
    };
    expect(await countFor(1)).toBe(2);
    expect(await countFor(4)).toBe(2);
  });
});
