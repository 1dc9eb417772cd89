import {
  createPricingTestEnvironment,
  registerOrganization,
  type Organization,
  type PricingTestEnvironment,
} from './support/environment';
import {
  COMPARE_OFFERS,
  firstError,
  PRICE_LIST,
  SET_PRICE,
  setDeliveryTerms,
  setPrice,
  USD,
  type OfferResult,
} from './support/queries';

// Over real HTTP: the real users subgraph (organizations, approval, tokens, JWKS), stand-ins for
// locations and inventory, and pricing with its own Postgres schema.

/** The test's own money math, written apart from the service's: integer metres, half up. */
function expectedOffer(v: {
  unitPrice: number;
  tiers: [number, number][];
  baseFee: number;
  perKmFee: number;
  surcharge: number;
  metres: number;
  quantity: number;
}) {
  const tier = v.tiers.filter(([min]) => min <= v.quantity).sort((a, b) => b[0] - a[0])[0];
  const unitPrice = tier ? tier[1] : v.unitPrice;
  const subtotal = unitPrice * v.quantity;
  const distanceFee = Math.floor((v.perKmFee * v.metres * 2 + 1000) / 2000);
  const deliveryFee = v.baseFee + distanceFee + v.surcharge;
  return { unitPrice, subtotal, deliveryFee, total: subtotal + deliveryFee };
}

let t: PricingTestEnvironment;
let hospital: Organization;
let siteId: string;
let productId: string;
let vendorA: Organization;
let vendorB: Organization;
const depots: Record<string, string> = {};

const A = {
  unitPrice: 4500,
  tiers: [
    [10, 4100],
    [50, 3800],
  ] as [number, number][],
  baseFee: 1500,
  perKmFee: 125,
};
const B = { unitPrice: 4300, tiers: [] as [number, number][], baseFee: 1000, perKmFee: 200 };

async function compare(variables: Record<string, unknown>, token = hospital.token) {
  return t.gql<{ compareOffers: OfferResult[] }>({ query: COMPARE_OFFERS, variables, token });
}

beforeAll(async () => {
  t = await createPricingTestEnvironment();
  hospital = await registerOrganization(t, 'HOSPITAL');
  siteId = t.locations.addSite(hospital.id, 'HOSPITAL_SITE');
  productId = t.inventory.addProduct();

  // A: two depots, the near one short of stock; the far one is 40.252 km away.
  vendorA = await registerOrganization(t, 'VENDOR');
  await setDeliveryTerms(t.gql, vendorA.token, {
    baseFee: USD(A.baseFee),
    perKmFee: USD(A.perKmFee),
    urgentSurcharge: USD(2000),
    emergencySurcharge: USD(5000),
    maxDistanceKm: 150,
  });
  await setPrice(t.gql, vendorA.token, {
    productId,
    unitPrice: USD(A.unitPrice),
    tiers: A.tiers.map(([minQuantity, price]) => ({ minQuantity, unitPrice: USD(price) })),
  });
  depots.aNear = t.locations.addDepot(vendorA.id, siteId, { distanceKm: 12.5, durationMinutes: 25 });
  depots.aFar = t.locations.addDepot(vendorA.id, siteId, { distanceKm: 40.252, durationMinutes: 55 });
  t.inventory.setStock(depots.aNear, productId, 8);
  t.inventory.setStock(depots.aFar, productId, 30);

  // B: no tiers, 20 km.
  vendorB = await registerOrganization(t, 'VENDOR');
  await setDeliveryTerms(t.gql, vendorB.token, {
    baseFee: USD(B.baseFee),
    perKmFee: USD(B.perKmFee),
    emergencySurcharge: USD(4000),
    maxDistanceKm: 100,
  });
  await setPrice(t.gql, vendorB.token, { productId, unitPrice: USD(B.unitPrice) });
  depots.b = t.locations.addDepot(vendorB.id, siteId, { distanceKm: 20, durationMinutes: 30 });
  t.inventory.setStock(depots.b, productId, 100);

  // Cheaper than both, and each excluded for one reason.
  const cheapTerms = { baseFee: USD(0), perKmFee: USD(0), emergencySurcharge: USD(0), maxDistanceKm: 30 };
  const pending = await registerOrganization(t, 'VENDOR', false);
  const outOfRange = await registerOrganization(t, 'VENDOR');
  const shortOfStock = await registerOrganization(t, 'VENDOR');
  for (const [vendor, distanceKm, stock] of [
    [pending, 5, 1000],
    [outOfRange, 30.001, 1000],
    [shortOfStock, 5, 9],
  ] as const) {
    await setDeliveryTerms(t.gql, vendor.token, cheapTerms);
    await setPrice(t.gql, vendor.token, { productId, unitPrice: USD(1) });
    const depot = t.locations.addDepot(vendor.id, siteId, { distanceKm, durationMinutes: 10 });
    t.inventory.setStock(depot, productId, stock);
  }
});
afterAll(() => t?.stop());

describe('compareOffers', () => {
  test('EMERGENCY: the two approved vendors with stock in range, ranked by total', async () => {
    const result = await compare({ productId, quantity: 10, siteId, priority: 'EMERGENCY' });
    expect(result.errors).toBeUndefined();
    const a = expectedOffer({ ...A, surcharge: 5000, metres: 40_252, quantity: 10 });
    const b = expectedOffer({ ...B, surcharge: 4000, metres: 20_000, quantity: 10 });
    // The tier from 10 applies at exactly 10; 125 x 40.252 = 5031.5 rounds up to 5032.
    expect(a).toEqual({ unitPrice: 4100, subtotal: 41_000, deliveryFee: 1500 + 5032 + 5000, total: 52_532 });
    expect(b.total).toBe(52_000);
    expect(result.data!.compareOffers).toEqual([
      {
        vendor: { id: vendorB.id, deliveryTerms: { maxDistanceKm: 100 } },
        depot: { id: depots.b },
        product: { id: productId },
        quantity: 10,
        unitPrice: USD(b.unitPrice),
        subtotal: USD(b.subtotal),
        deliveryFee: USD(b.deliveryFee),
        total: USD(b.total),
        availableQuantity: 100,
        distanceKm: 20,
        etaMinutes: 30,
      },
      {
        vendor: { id: vendorA.id, deliveryTerms: { maxDistanceKm: 150 } },
        depot: { id: depots.aFar },
        product: { id: productId },
        quantity: 10,
        unitPrice: USD(a.unitPrice),
        subtotal: USD(a.subtotal),
        deliveryFee: USD(a.deliveryFee),
        total: USD(a.total),
        availableQuantity: 30,
        distanceKm: 40.252,
        etaMinutes: 55,
      },
    ]);
  });

  test('ROUTINE (the default): no surcharge, and A comes first', async () => {
    const result = await compare({ productId, quantity: 10, siteId });
    const a = expectedOffer({ ...A, surcharge: 0, metres: 40_252, quantity: 10 });
    const b = expectedOffer({ ...B, surcharge: 0, metres: 20_000, quantity: 10 });
    expect(result.data!.compareOffers.map((o) => [o.vendor.id, o.total.amountMinor])).toEqual([
      [vendorA.id, a.total],
      [vendorB.id, b.total],
    ]);
  });

  test("below a tier the base price applies; A's near depot serves 8 and is then the best", async () => {
    const result = await compare({ productId, quantity: 8, siteId, priority: 'URGENT' });
    const offerOfA = result.data!.compareOffers.find((o) => o.vendor.id === vendorA.id)!;
    const a = expectedOffer({ ...A, surcharge: 2000, metres: 12_500, quantity: 8 });
    expect(offerOfA).toMatchObject({
      depot: { id: depots.aNear },
      unitPrice: USD(4500),
      subtotal: USD(a.subtotal),
      deliveryFee: USD(a.deliveryFee),
      total: USD(a.total),
    });
  });

  test('more than anyone has: no offers', async () => {
    expect((await compare({ productId, quantity: 101, siteId })).data!.compareOffers).toEqual([]);
  });

  test('one call to each dependency, whatever the number of vendors', async () => {
    t.locations.calls = [];
    t.inventory.calls = [];
    await compare({ productId, quantity: 10, siteId });
    expect(t.locations.calls).toHaveLength(1);
    expect(t.inventory.calls.map((c) => c.field)).toEqual(['product', 'stockLevels']); // one request
  });

  test.each([
    ['quantity', { quantity: 0 }],
    ['productId', { productId: 'nope' }],
    ['siteId', { siteId: 'nope' }],
  ])('BAD_USER_INPUT naming %s', async (field, overrides) => {
    const result = await compare({ productId, quantity: 10, siteId, ...overrides });
    expect(firstError(result)).toEqual({ code: 'BAD_USER_INPUT', field });
  });

  test("another hospital's site is not found (locations decides, pricing passes it on)", async () => {
    const other = await registerOrganization(t, 'HOSPITAL');
    expect(firstError(await compare({ productId, quantity: 10, siteId }, other.token)).code).toBe(
      'NOT_FOUND',
    );
  });

  test('without a token: UNAUTHENTICATED', async () => {
    const result = await t.gql({ query: COMPARE_OFFERS, variables: { productId, quantity: 1, siteId } });
    expect(firstError(result).code).toBe('UNAUTHENTICATED');
  });
});

describe('who changes prices', () => {
  async function entriesOf(vendorId: string) {
    const result = await t.gql<{ priceList: { edges: { node: unknown }[] } }>({
      query: PRICE_LIST,
      variables: { vendorId },
      token: hospital.token,
    });
    expect(result.errors).toBeUndefined();
    return result.data!.priceList.edges.map((e) => e.node);
  }

  test("setPrice acts on the caller's own vendor: B's price never touches A's entry", async () => {
    const before = await entriesOf(vendorA.id);
    const result = await t.gql<{ setPrice: { vendor: { id: string } } }>({
      query: SET_PRICE,
      variables: { input: { productId, unitPrice: USD(1), tiers: [] } },
      token: vendorB.token,
    });
    expect(result.data!.setPrice.vendor.id).toBe(vendorB.id);
    expect(await entriesOf(vendorA.id)).toEqual(before);
    await setPrice(t.gql, vendorB.token, { productId, unitPrice: USD(B.unitPrice) });
  });

  test('a hospital cannot set prices: FORBIDDEN, nothing changes', async () => {
    const before = await entriesOf(vendorA.id);
    const result = await t.gql({
      query: SET_PRICE,
      variables: { input: { productId, unitPrice: USD(1) } },
      token: hospital.token,
    });
    expect(firstError(result).code).toBe('FORBIDDEN');
    expect(result.data).toBeNull();
    expect(await entriesOf(vendorA.id)).toEqual(before);
  });

  test("a vendor does not see a competitor's price list", async () => {
    const result = await t.gql({
      query: PRICE_LIST,
      variables: { vendorId: vendorA.id },
      token: vendorB.token,
    });
    expect(firstError(result).code).toBe('FORBIDDEN');
  });

  test.each([
    [
      'input.tiers[1].unitPrice.currency',
      {
        unitPrice: USD(1),
        tiers: [
          { minQuantity: 5, unitPrice: USD(1) },
          { minQuantity: 6, unitPrice: { amountMinor: 1, currency: 'EUR' } },
        ],
      },
    ],
    ['input.tiers[0].minQuantity', { unitPrice: USD(1), tiers: [{ minQuantity: 1, unitPrice: USD(1) }] }],
    ['input.unitPrice.amountMinor', { unitPrice: USD(-1) }],
    ['input.productId', { productId: '7f1d2c3b-0000-4000-8000-000000000000', unitPrice: USD(1) }],
  ])('bad input names %s and changes nothing', async (field, input) => {
    const before = await entriesOf(vendorA.id);
    const result = await t.gql({
      query: SET_PRICE,
      variables: { input: { productId, ...input } },
      token: vendorA.token,
    });
    expect(firstError(result)).toEqual({ code: 'BAD_USER_INPUT', field });
    expect(await entriesOf(vendorA.id)).toEqual(before);
  });
});
