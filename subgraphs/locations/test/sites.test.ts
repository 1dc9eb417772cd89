import { createTestEnvironment, colleague, newViewer, type LocationsTestEnvironment } from './support';
import {
  CREATE_SITE,
  ENTITIES,
  GEOCODE,
  SITE,
  SITES,
  siteInput,
  type SiteConnectionResult,
  type SiteResult,
} from './queries';

let t: LocationsTestEnvironment;
beforeAll(async () => {
  t = await createTestEnvironment();
});
afterAll(() => t?.stop());

const hospitalAdmin = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
const vendorAdmin = newViewer('VENDOR', 'VENDOR_ADMIN');
const otherHospitalAdmin = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
const platformAdmin = newViewer('PLATFORM', 'PLATFORM_ADMIN');

async function createSite(viewer: typeof hospitalAdmin, input: Record<string, unknown>) {
  return t.gql<{ createSite: SiteResult }>({
    query: CREATE_SITE,
    variables: { input },
    token: await t.as(viewer),
  });
}

const countSites = () => t.countSites();

describe('createSite', () => {
  it('geocodes an address without a position from the offline gazetteer', async () => {
    const result = await createSite(
      hospitalAdmin,
      siteInput('HOSPITAL_SITE', {
        name: 'Kenyatta Main Block',
        address: { line1: 'Hospital Road', city: 'nairobi', region: ' ', postalCode: '00202', country: 'ke' },
      }),
    );
    expect(result.errors).toBeUndefined();
    const site = result.data!.createSite;
    expect(site).toMatchObject({
      name: 'Kenyatta Main Block',
      kind: 'HOSPITAL_SITE',
      address: { line1: 'Hospital Road', city: 'nairobi', region: null, postalCode: '00202', country: 'KE' },
      positionSource: 'GEOCODED',
      organization: { id: hospitalAdmin.organizationId },
    });
    expect(site.position.lat).toBeCloseTo(-1.28333, 3);
    expect(site.position.lng).toBeCloseTo(36.81667, 3);
    expect(Date.parse(site.createdAt)).not.toBeNaN();
  });

  it('keeps a given position as it is', async () => {
    const result = await createSite(
      vendorAdmin,
      siteInput('DEPOT', {
        position: { lat: -4.05, lng: 39.66 },
        address: { line1: 'Port Rd', city: 'Nowhere-in-particular', country: 'KE' },
      }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.createSite).toMatchObject({
      kind: 'DEPOT',
      position: { lat: -4.05, lng: 39.66 },
      positionSource: 'GIVEN',
      organization: { id: vendorAdmin.organizationId },
    });
  });

  it.each([
    ['input.name', { name: '   ' }],
    ['input.name', { name: 'x'.repeat(121) }],
    ['input.address.line1', { address: { line1: '', city: 'Nairobi', country: 'KE' } }],
    ['input.address.city', { address: { line1: '1 Road', city: ' ', country: 'KE' } }],
    ['input.address.city', { address: { line1: '1 Road', city: 'Nai\u0000robi', country: 'KE' } }],
    [
      'input.address.region',
      { address: { line1: '1 Road', city: 'Nairobi', region: 'r'.repeat(101), country: 'KE' } },
    ],
    [
      'input.address.postalCode',
      { address: { line1: '1 Road', city: 'Nairobi', postalCode: '00-<1>', country: 'KE' } },
    ],
    ['input.address.country', { address: { line1: '1 Road', city: 'Nairobi', country: 'Kenya' } }],
    ['input.address.country', { address: { line1: '1 Road', city: 'Nairobi', country: 'QQ' } }],
    ['input.position.lat', { position: { lat: 91, lng: 0 } }],
    ['input.position.lng', { position: { lat: 0, lng: -180.5 } }],
    ['input.kind', { kind: 'DEPOT' }],
    ['input.address', { address: { line1: '1 Road', city: 'Atlantis', country: 'KE' } }],
    ['input.address', { address: { line1: '1 Road', city: 'Mumbai', country: 'KE' } }],
  ])('refuses bad input naming %s, creating nothing', async (field, overrides) => {
    const before = await countSites();
    const result = await createSite(hospitalAdmin, siteInput('HOSPITAL_SITE', overrides));
    // null when the resolver refused it; absent when the text check refused it before execution.
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await countSites()).toBe(before);
  });

  it('refuses a name the organization already uses, as CONFLICT on input.name', async () => {
    const input = siteInput('DEPOT', { name: 'Central depot' });
    expect((await createSite(vendorAdmin, input)).errors).toBeUndefined();
    const again = await createSite(vendorAdmin, input);
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.name' });
    // Another organization may use the same name.
    expect((await createSite(newViewer('VENDOR', 'VENDOR_ADMIN'), input)).errors).toBeUndefined();
  });

  it.each([
    ['hospital staff', colleague(hospitalAdmin, 'HOSPITAL_STAFF'), 'HOSPITAL_SITE'],
    ['a driver', colleague(vendorAdmin, 'DRIVER'), 'DEPOT'],
    ['a platform admin', platformAdmin, 'DEPOT'],
  ] as const)('is FORBIDDEN to %s', async (_who, viewer, kind) => {
    const before = await countSites();
    const result = await createSite(viewer, siteInput(kind));
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await countSites()).toBe(before);
  });

  it('is UNAUTHENTICATED without a token', async () => {
    const result = await t.gql({ query: CREATE_SITE, variables: { input: siteInput('DEPOT') } });
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('reading sites', () => {
  let hospitalSite: SiteResult;
  let depot: SiteResult;
  beforeAll(async () => {
    hospitalSite = (await createSite(otherHospitalAdmin, siteInput('HOSPITAL_SITE'))).data!.createSite;
    depot = (await createSite(vendorAdmin, siteInput('DEPOT'))).data!.createSite;
  });

  const site = async (id: string, viewer: typeof hospitalAdmin) =>
    t.gql<{ site: SiteResult | null }>({ query: SITE, variables: { id }, token: await t.as(viewer) });

  it('shows a hospital site to its own organization and to platform admins', async () => {
    for (const viewer of [
      otherHospitalAdmin,
      colleague(otherHospitalAdmin, 'HOSPITAL_STAFF'),
      platformAdmin,
    ]) {
      const result = await site(hospitalSite.id, viewer);
      expect(result.errors).toBeUndefined();
      expect(result.data!.site).toEqual(hospitalSite);
    }
  });

  it('answers another organization’s hospital site as if it did not exist', async () => {
    const missing = await site('00000000-0000-4000-8000-000000000000', hospitalAdmin);
    for (const viewer of [hospitalAdmin, vendorAdmin, colleague(vendorAdmin, 'DRIVER')]) {
      const result = await site(hospitalSite.id, viewer);
      expect(result.errors).toEqual(missing.errors);
      expect(result.data).toEqual(missing.data);
      expect(JSON.stringify(result.data)).not.toContain(hospitalSite.name);
    }
  });

  it('shows depots to every signed-in user', async () => {
    for (const viewer of [hospitalAdmin, colleague(hospitalAdmin, 'HOSPITAL_STAFF'), platformAdmin]) {
      expect((await site(depot.id, viewer)).data!.site).toEqual(depot);
    }
    const anonymous = await t.gql({ query: SITE, variables: { id: depot.id } });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('resolves Site references another subgraph holds, with an error for each hidden one alone', async () => {
    const result = await t.gql<{ _entities: ({ id: string; name: string } | null)[] }>({
      query: ENTITIES,
      variables: {
        representations: [
          { __typename: 'Site', id: depot.id },
          { __typename: 'Site', id: hospitalSite.id },
          { __typename: 'Site', id: '00000000-0000-4000-8000-000000000000' },
        ],
      },
      token: await t.as(hospitalAdmin),
    });
    expect(result.data!._entities).toEqual([
      expect.objectContaining({ id: depot.id, name: depot.name }),
      null,
      null,
    ]);
    expect(result.errors).toBeUndefined();
    expect(JSON.stringify(result)).not.toContain(hospitalSite.name);
  });

  it('lists an organization’s sites on the Organization entity, hiding its hospital sites from others', async () => {
    const representations = [{ __typename: 'Organization', id: otherHospitalAdmin.organizationId }];
    const sitesFor = async (viewer: typeof hospitalAdmin) =>
      (
        await t.gql<{ _entities: { sites: { totalCount: number; edges: { node: { id: string } }[] } }[] }>({
          query: ENTITIES,
          variables: { representations },
          token: await t.as(viewer),
        })
      ).data!._entities[0]!.sites;
    expect(await sitesFor(hospitalAdmin)).toEqual({ totalCount: 0, edges: [] });
    expect(await sitesFor(otherHospitalAdmin)).toEqual({
      totalCount: 1,
      edges: [{ node: { id: hospitalSite.id, kind: 'HOSPITAL_SITE' } }],
    });
  });

  it('answers null for an unknown site and BAD_USER_INPUT for a malformed id', async () => {
    expect((await site('00000000-0000-4000-8000-000000000000', hospitalAdmin)).data!.site).toBeNull();
    const malformed = await site('not-an-id', hospitalAdmin);
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('lists the caller’s own sites by default, newest first, with keyset pages', async () => {
    const owner = newViewer('VENDOR', 'VENDOR_ADMIN');
    const names: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await createSite(owner, siteInput('DEPOT', { position: { lat: 1 + i, lng: 30 } }));
      names.unshift(created.data!.createSite.name);
    }
    const token = await t.as(colleague(owner, 'VENDOR_STAFF'));
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: { data?: { sites: SiteConnectionResult } | null; errors?: unknown } = await t.gql<{
        sites: SiteConnectionResult;
      }>({ query: SITES, variables: { first: 2, after }, token });
      expect(page.errors).toBeUndefined();
      const sites = page.data!.sites;
      expect(sites.totalCount).toBe(5);
      expect(sites.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...sites.edges.map((edge) => edge.node.name));
      if (!sites.pageInfo.hasNextPage) break;
      after = sites.pageInfo.endCursor;
    }
    expect(seen).toEqual(names);
  });

  it('lists only the depots of another organization, and all of its own to a platform admin', async () => {
    const hospital = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
    await createSite(hospital, siteInput('HOSPITAL_SITE'));
    const list = async (viewer: typeof hospital, organizationId: string, kind?: string) =>
      (
        await t.gql<{ sites: SiteConnectionResult }>({
          query: SITES,
          variables: { organizationId, kind },
          token: await t.as(viewer),
        })
      ).data!.sites;

    expect((await list(vendorAdmin, hospital.organizationId)).totalCount).toBe(0);
    expect((await list(vendorAdmin, hospital.organizationId, 'HOSPITAL_SITE')).edges).toEqual([]);
    expect((await list(platformAdmin, hospital.organizationId)).totalCount).toBe(1);
    expect((await list(hospital, hospital.organizationId, 'DEPOT')).totalCount).toBe(0);
    const depots = await list(hospitalAdmin, vendorAdmin.organizationId);
    expect(depots.edges.map((edge) => edge.node.id)).toContain(depot.id);
    expect(depots.edges.every((edge) => edge.node.kind === 'DEPOT')).toBe(true);
  });

  it('refuses bad list arguments naming them', async () => {
    const token = await t.as(hospitalAdmin);
    for (const [variables, field] of [
      [{ first: 0 }, 'first'],
      [{ first: 101 }, 'first'],
      [{ after: 'garbage' }, 'after'],
      [{ organizationId: 'nope' }, 'organizationId'],
    ] as const) {
      const result = await t.gql({ query: SITES, variables, token });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });
});

describe('geocode', () => {
  it('finds an address without creating anything', async () => {
    const before = await countSites();
    const result = await t.gql<{
      geocode: { position: { lat: number; lng: number }; matchedPlace: string; country: string };
    }>({
      query: GEOCODE,
      variables: {
        address: { line1: '1 Main St', city: 'Springfield', region: 'Massachusetts', country: 'US' },
      },
      token: await t.as(hospitalAdmin),
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!.geocode).toMatchObject({ matchedPlace: 'Springfield, MA, US', country: 'US' });
    expect(result.data!.geocode.position.lat).toBeCloseTo(42.1, 1);
    expect(await countSites()).toBe(before);
  });

  it('names the address when it cannot be found', async () => {
    const result = await t.gql({
      query: GEOCODE,
      variables: { address: { line1: '1 Main St', city: 'Qwxzyplk', country: 'US' } },
      token: await t.as(hospitalAdmin),
    });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'address' });
  });
});
