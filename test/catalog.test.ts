import { createTestEnvironment, type PlatformTestEnvironment } from './environment';
import { approve, ok, platformAdmin, registerOrganization, type Actor } from './support/actors';

// The catalog side through the router: sites, geocoding, routes, stock, prices and offers.
let t: PlatformTestEnvironment;
let adminToken: string;

beforeAll(async () => {
  // No expiry sweeps during the statement counts below (stock.test.ts covers the sweeper).
  t = await createTestEnvironment({ RESERVATION_SWEEP_SECONDS: '3600' });
  adminToken = await platformAdmin(t.gql);
});
afterAll(() => t?.stop());

const USD = (amountMinor: number) => ({ amountMinor, currency: 'USD' });
const ROAD_FACTOR = 1.3;
const AVERAGE_SPEED_KPH = 50;

/** Great-circle distance, computed here independently of the locations subgraph. */
function haversineKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }) {
  const rad = (d: number) => (d * Math.PI) / 180;
  const h =
    Math.sin(rad(b.lat - a.lat) / 2) ** 2 +
    Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(rad(b.lng - a.lng) / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.sqrt(h));
}

const CREATE_SITE = `mutation ($input: CreateSiteInput!) {
  createSite(input: $input) { id kind positionSource position { lat lng } address { city country } organization { id } }
}`;

interface SiteResult {
  id: string;
  kind: string;
  positionSource: string;
  position: { lat: number; lng: number };
}

async function createSite(actor: Actor, input: Record<string, unknown>) {
  return (await ok<{ createSite: SiteResult }>(t.gql, actor.token, CREATE_SITE, { input })).createSite;
}

async function cylinderProductId(token: string) {
  const data = await ok<{ products: { edges: { node: { id: string; name: string } }[] } }>(
    t.gql,
    token,
    '{ products(filter: { category: CYLINDER }, first: 5) { edges { node { id name } } } }',
  );
  return data.products.edges[0]!.node.id;
}

async function setUpVendor(options: {
  approved: boolean;
  position: { lat: number; lng: number };
  productId: string;
  onHand: number;
  unitPrice: number;
  tiers?: { minQuantity: number; unitPrice: ReturnType<typeof USD> }[];
  terms: { baseFee: number; perKmFee: number; emergencySurcharge: number; maxDistanceKm: number };
}) {
  const vendor = await registerOrganization(t.gql, 'VENDOR');
  if (options.approved) await approve(t.gql, adminToken, vendor.organizationId);
  const depot = await createSite(vendor, {
    name: 'Depot',
    kind: 'DEPOT',
    address: { line1: 'Depot road 1', city: 'Nairobi', country: 'KE' },
    position: options.position,
  });
  await ok(
    t.gql,
    vendor.token,
    'mutation ($input: SetStockInput!) { setStock(input: $input) { available } }',
    {
      input: { depotId: depot.id, productId: options.productId, onHand: options.onHand, reorderLevel: 2 },
    },
  );
  await ok(t.gql, vendor.token, 'mutation ($input: SetPriceInput!) { setPrice(input: $input) { id } }', {
    input: { productId: options.productId, unitPrice: USD(options.unitPrice), tiers: options.tiers ?? [] },
  });
  await ok(
    t.gql,
    vendor.token,
    'mutation ($input: SetDeliveryTermsInput!) { setDeliveryTerms(input: $input) { maxDistanceKm } }',
    {
      input: {
        baseFee: USD(options.terms.baseFee),
        perKmFee: USD(options.terms.perKmFee),
        emergencySurcharge: USD(options.terms.emergencySurcharge),
        maxDistanceKm: options.terms.maxDistanceKm,
      },
    },
  );
  return { vendor, depot };
}

describe('sites, geocoding and routes', () => {
  it('geocodes a hospital site from its address, takes a depot’s given position, and routes between them', async () => {
    const hospital = await registerOrganization(t.gql, 'HOSPITAL');
    const site = await createSite(hospital, {
      name: 'Main campus',
      kind: 'HOSPITAL_SITE',
      address: { line1: 'Hospital Road 1', city: 'Nairobi', country: 'KE' },
    });
    expect(site.positionSource).toBe('GEOCODED');
    expect(haversineKm(site.position, { lat: -1.2864, lng: 36.8172 })).toBeLessThan(10);

    const vendor = await registerOrganization(t.gql, 'VENDOR');
    const depot = await createSite(vendor, {
      name: 'Thika depot',
      kind: 'DEPOT',
      address: { line1: 'Industrial Road', city: 'Thika', country: 'KE' },
      position: { lat: -1.0333, lng: 37.0693 },
    });
    expect(depot).toMatchObject({ positionSource: 'GIVEN', position: { lat: -1.0333, lng: 37.0693 } });

    const expectedKm = haversineKm(site.position, depot.position) * ROAD_FACTOR;
    const route = await ok<{ route: { distanceKm: number; durationMinutes: number } }>(
      t.gql,
      hospital.token,
      'query ($from: ID!, $to: ID!) { route(fromSiteId: $from, toSiteId: $to) { distanceKm durationMinutes } }',
      { from: depot.id, to: site.id },
    );
    expect(route.route.distanceKm).toBeCloseTo(expectedKm, 1);
    expect(route.route.durationMinutes).toBe(Math.ceil((route.route.distanceKm / AVERAGE_SPEED_KPH) * 60));

    const eta = await ok<{ eta: { distanceKm: number; durationMinutes: number } }>(
      t.gql,
      vendor.token,
      'query ($to: ID!) { eta(from: { lat: -1.1, lng: 36.95 }, toSiteId: $to) { distanceKm durationMinutes } }',
      { to: depot.id },
    );
    expect(eta.eta.distanceKm).toBeCloseTo(
      haversineKm({ lat: -1.1, lng: 36.95 }, depot.position) * ROAD_FACTOR,
      1,
    );
  });

  it('refuses an address it cannot find, naming the field, and creates nothing', async () => {
    const hospital = await registerOrganization(t.gql, 'HOSPITAL');
    const result = await t.gql({
      query: CREATE_SITE,
      variables: {
        input: {
          name: 'Nowhere',
          kind: 'HOSPITAL_SITE',
          address: { line1: 'x', city: 'Qwxzyvillé', country: 'KE' },
        },
      },
      token: hospital.token,
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(String(result.errors?.[0]?.extensions?.field)).toMatch(/^input\.address/);
    const sites = await ok<{ sites: { totalCount: number } }>(
      t.gql,
      hospital.token,
      '{ sites { totalCount } }',
    );
    expect(sites.sites.totalCount).toBe(0);
  });
});

interface OfferResult {
  vendor: { id: string; name: string };
  depot: { id: string; name: string; position: { lat: number; lng: number } };
  product: { id: string; name: string };
  unitPrice: { amountMinor: number; currency: string };
  subtotal: { amountMinor: number };
  deliveryFee: { amountMinor: number };
  total: { amountMinor: number; currency: string };
  availableQuantity: number;
  distanceKm: number;
  etaMinutes: number;
  vendorRating: number | null;
}

const COMPARE = `query ($productId: ID!, $quantity: Int!, $siteId: ID!, $priority: Priority) {
  compareOffers(productId: $productId, quantity: $quantity, siteId: $siteId, priority: $priority) {
    vendor { id name } depot { id name position { lat lng } } product { id name }
    unitPrice { amountMinor currency } subtotal { amountMinor } deliveryFee { amountMinor }
    total { amountMinor currency } availableQuantity distanceKm etaMinutes vendorRating
  }
}`;

describe('compareOffers', () => {
  it('offers the approved vendors in range with enough stock, priced independently recomputed, cheapest first', async () => {
    const hospital = await registerOrganization(t.gql, 'HOSPITAL');
    const site = await createSite(hospital, {
      name: 'Ward block',
      kind: 'HOSPITAL_SITE',
      address: { line1: 'Ward Road 2', city: 'Nairobi', country: 'KE' },
      position: { lat: -1.2921, lng: 36.8219 },
    });
    const productId = await cylinderProductId(hospital.token);
    const terms = { baseFee: 1_500, perKmFee: 120, emergencySurcharge: 5_000, maxDistanceKm: 100 };

    const near = await setUpVendor({
      approved: true,
      position: { lat: -1.3087, lng: 36.8516 },
      productId,
      onHand: 50,
      unitPrice: 4_800,
      tiers: [
        { minQuantity: 10, unitPrice: USD(4_200) },
        { minQuantity: 50, unitPrice: USD(3_900) },
      ],
      terms,
    });
    const far = await setUpVendor({
      approved: true,
      position: { lat: -1.0333, lng: 37.0693 },
      productId,
      onHand: 30,
      unitPrice: 4_000,
      terms: { ...terms, perKmFee: 200, emergencySurcharge: 8_000 },
    });
    const pending = await setUpVendor({
      approved: false,
      position: { lat: -1.29, lng: 36.82 },
      productId,
      onHand: 99,
      unitPrice: 1,
      terms,
    });
    const outOfRange = await setUpVendor({
      approved: true,
      position: { lat: -4.0435, lng: 39.6682 },
      productId,
      onHand: 99,
      unitPrice: 1,
      terms,
    });
    const shortOfStock = await setUpVendor({
      approved: true,
      position: { lat: -1.28, lng: 36.83 },
      productId,
      onHand: 5,
      unitPrice: 1,
      terms,
    });

    const quantity = 12;
    const result = await ok<{ compareOffers: OfferResult[] }>(t.gql, hospital.token, COMPARE, {
      productId,
      quantity,
      siteId: site.id,
      priority: 'EMERGENCY',
    });
    const offers = result.compareOffers;
    const vendorIds = offers.map((o) => o.vendor.id);
    expect(new Set(vendorIds)).toEqual(new Set([near.vendor.organizationId, far.vendor.organizationId]));
    for (const excluded of [pending, outOfRange, shortOfStock])
      expect(vendorIds).not.toContain(excluded.vendor.organizationId);

    const expected = [
      { setup: near, unit: 4_200, perKm: 120, surcharge: 5_000, available: 50 },
      { setup: far, unit: 4_000, perKm: 200, surcharge: 8_000, available: 30 },
    ].map(({ setup, unit, perKm, surcharge, available }) => {
      const offer = offers.find((o) => o.vendor.id === setup.vendor.organizationId)!;
      const distanceKm = haversineKm(site.position, setup.depot.position) * ROAD_FACTOR;
      expect(offer.distanceKm).toBeCloseTo(distanceKm, 1);
      const subtotal = unit * quantity;
      const deliveryFee = terms.baseFee + Math.round(perKm * offer.distanceKm) + surcharge;
      expect(offer).toMatchObject({
        unitPrice: { amountMinor: unit, currency: 'USD' },
        subtotal: { amountMinor: subtotal },
        deliveryFee: { amountMinor: deliveryFee },
        total: { amountMinor: subtotal + deliveryFee, currency: 'USD' },
        availableQuantity: available,
        vendorRating: null,
      });
      expect(offer.etaMinutes).toBe(Math.ceil((offer.distanceKm / AVERAGE_SPEED_KPH) * 60));
      expect(offer.depot.id).toBe(setup.depot.id);
      expect(offer.product.id).toBe(productId);
      expect(offer.vendor.name).toMatch(/^E2E VENDOR/);
      return subtotal + deliveryFee;
    });
    const totals = offers.map((o) => o.total.amountMinor);
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
    expect(totals.sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
  });

  it('keeps each subgraph’s SQL statement count flat as the number of offers grows', async () => {
    const hospital = await registerOrganization(t.gql, 'HOSPITAL');
    const site = await createSite(hospital, {
      name: 'Count site',
      kind: 'HOSPITAL_SITE',
      address: { line1: 'x', city: 'Nairobi', country: 'KE' },
      position: { lat: -1.2921, lng: 36.8219 },
    });
    const productId = await cylinderProductId(hospital.token);
    const terms = { baseFee: 1_000, perKmFee: 100, emergencySurcharge: 2_000, maxDistanceKm: 200 };
    const addVendors = async (count: number) => {
      for (let i = 0; i < count; i += 10) {
        await Promise.all(
          Array.from({ length: Math.min(10, count - i) }, (_, j) =>
            setUpVendor({
              approved: true,
              position: { lat: -1.2 - (i + j) * 0.005, lng: 36.8 + (i + j) * 0.005 },
              productId,
              onHand: 100,
              unitPrice: 3_000 + i + j,
              terms,
            }),
          ),
        );
      }
    };
    // Counts from a second run of the same query, so caches warmed by the first do not count.
    const measure = async () => {
      const query = () =>
        ok<{ compareOffers: OfferResult[] }>(t.gql, hospital.token, COMPARE, {
          productId,
          quantity: 3,
          siteId: site.id,
        });
      await query();
      const names = Object.keys(t.subgraphs);
      const before = await Promise.all(names.map((n) => t.statements(n)));
      const result = await query();
      const after = await Promise.all(names.map((n) => t.statements(n)));
      return {
        offers: result.compareOffers.length,
        counts: Object.fromEntries(names.map((n, i) => [n, after[i]! - before[i]!])),
      };
    };
    await addVendors(5);
    const small = await measure();
    await addVendors(45);
    const large = await measure();
    expect(small.offers).toBeGreaterThanOrEqual(5);
    expect(large.offers).toBeGreaterThanOrEqual(50);
    // users answers at most once: pricing reuses its answer about a vendor for up to a second
    // (ORGANIZATION_STATUS_CACHE_MS), so whether the measured run asks at all depends on how long
    // after the warming run it came; the other subgraphs' counts do not.
    const { users: smallUsers, ...smallRest } = small.counts;
    const { users: largeUsers, ...largeRest } = large.counts;
    expect(largeRest).toEqual(smallRest);
    expect([smallUsers, largeUsers].every((count) => count === 0 || count === 1)).toBe(true);
  });

  it('names the vendor and the depot from pricing: the router asks users and locations nothing more', async () => {
    const hospital = await registerOrganization(t.gql, 'HOSPITAL');
    const site = await createSite(hospital, {
      name: 'Names ward',
      kind: 'HOSPITAL_SITE',
      address: { line1: 'Ward Road 9', city: 'Nairobi', country: 'KE' },
      position: { lat: -1.2921, lng: 36.8219 },
    });
    const productId = await cylinderProductId(hospital.token);
    const { vendor, depot } = await setUpVendor({
      approved: true,
      position: { lat: -1.3, lng: 36.83 },
      productId,
      onHand: 20,
      unitPrice: 2_000,
      terms: { baseFee: 1_000, perKmFee: 100, emergencySurcharge: 3_000, maxDistanceKm: 100 },
    });
    const vendorName = (
      await ok<{ me: { organization: { name: string } } }>(
        t.gql,
        vendor.token,
        '{ me { organization { name } } }',
      )
    ).me.organization.name;
    const NAMES = `query ($productId: ID!, $siteId: ID!) {
      compareOffers(productId: $productId, quantity: 2, siteId: $siteId) {
        vendor { id name } depot { id name } total { amountMinor } distanceKm } }`;
    const before = await routerCalls();
    const { compareOffers } = await ok<{
      compareOffers: { vendor: { id: string; name: string }; depot: { id: string; name: string } }[];
    }>(t.gql, hospital.token, NAMES, { productId, siteId: site.id });
    const after = await routerCalls();

    const offer = compareOffers.find((o) => o.vendor.id === vendor.organizationId);
    expect(offer).toMatchObject({
      vendor: { id: vendor.organizationId, name: vendorName },
      depot: { id: depot.id, name: 'Depot' },
    });
    expect(after.pricing).toBe(before.pricing! + 1);
    expect(after.users).toBe(before.users);
    expect(after.locations).toBe(before.locations);
  });
});

/** The router's calls to each subgraph so far (flow_router_subgraph_request_duration_seconds_count). */
async function routerCalls(): Promise<Record<string, number>> {
  const metrics = await (await fetch(new URL('/metrics', t.routerUrl))).text();
  const calls: Record<string, number> = { pricing: 0, users: 0, locations: 0, inventory: 0 };
  for (const line of metrics.split('\n')) {
    if (!line.startsWith('flow_router_subgraph_request_duration_seconds_count{')) continue;
    const subgraph = /subgraph="([^"]+)"/.exec(line)?.[1];
    if (subgraph) calls[subgraph] = (calls[subgraph] ?? 0) + Number(line.split(' ').pop());
  }
  return calls;
}

describe('who may price', () => {
  const SET_PRICE =
    'mutation ($input: SetPriceInput!) { setPrice(input: $input) { id unitPrice { amountMinor } } }';
  const PRICE_LIST =
    'query ($vendorId: ID) { priceList(vendorId: $vendorId) { totalCount edges { node { unitPrice { amountMinor } } } } }';

  it('refuses hospitals, acts only on the vendor’s own prices, and names bad fields without changing anything', async () => {
    const hospital = await registerOrganization(t.gql, 'HOSPITAL');
    const productId = await cylinderProductId(hospital.token);
    const vendorA = await registerOrganization(t.gql, 'VENDOR');
    const vendorB = await registerOrganization(t.gql, 'VENDOR');
    await ok(t.gql, vendorA.token, SET_PRICE, { input: { productId, unitPrice: USD(5_000) } });

    const byHospital = await t.gql({
      query: SET_PRICE,
      variables: { input: { productId, unitPrice: USD(1) } },
      token: hospital.token,
    });
    expect(byHospital.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await ok(t.gql, vendorB.token, SET_PRICE, { input: { productId, unitPrice: USD(1) } });

    const badCurrency = await t.gql({
      query: SET_PRICE,
      variables: {
        input: {
          productId,
          unitPrice: USD(4_000),
          tiers: [{ minQuantity: 5, unitPrice: { amountMinor: 3_000, currency: 'EUR' } }],
        },
      },
      token: vendorA.token,
    });
    expect(badCurrency.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.tiers[0].unitPrice.currency',
    });

    const listA = await ok<{
      priceList: { totalCount: number; edges: { node: { unitPrice: { amountMinor: number } } }[] };
    }>(t.gql, vendorA.token, PRICE_LIST, { vendorId: vendorA.organizationId });
    expect(listA.priceList.totalCount).toBe(1);
    expect(listA.priceList.edges[0]!.node.unitPrice.amountMinor).toBe(5_000);
  });
});
