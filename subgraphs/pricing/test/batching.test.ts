import {
  createPricingTestEnvironment,
  registerOrganization,
  type Organization,
  type PricingTestEnvironment,
} from './support/environment';
import { COMPARE_OFFERS, setDeliveryTerms, setPrice, USD, type OfferResult } from './support/queries';

// The SQL statements pricing sends for a query must not grow with the number of vendors, offers
// or entity references in the answer.

let t: PricingTestEnvironment;
let hospital: Organization;
let siteId: string;
let productId: string;
const vendors: Organization[] = [];

async function addVendor(index: number) {
  const vendor = await registerOrganization(t, 'VENDOR');
  await setDeliveryTerms(t.gql, vendor.token, {
    baseFee: USD(1000),
    perKmFee: USD(100),
    emergencySurcharge: USD(2000),
    maxDistanceKm: 100,
  });
  await setPrice(t.gql, vendor.token, {
    productId,
    unitPrice: USD(1000 + index),
    tiers: [{ minQuantity: 5, unitPrice: USD(900 + index) }],
  });
  for (const distanceKm of [10 + index, 50 + index]) {
    const depot = t.locations.addDepot(vendor.id, siteId, { distanceKm, durationMinutes: 2 * distanceKm });
    t.inventory.setStock(depot, productId, 100);
  }
  vendors.push(vendor);
}

beforeAll(async () => {
  t = await createPricingTestEnvironment();
  hospital = await registerOrganization(t, 'HOSPITAL');
  siteId = t.locations.addSite(hospital.id, 'HOSPITAL_SITE');
  productId = t.inventory.addProduct();
});
afterAll(() => t?.stop());

async function statementsFor<Data>(request: { query: string; variables: Record<string, unknown> }) {
  t.statements.length = 0;
  const result = await t.gql<Data>({ ...request, token: hospital.token });
  expect(result.errors).toBeUndefined();
  return { count: t.statements.length, data: result.data! };
}

test('compareOffers with delivery terms per vendor: the same statements for 2 and for 12 vendors', async () => {
  const compare = {
    query: COMPARE_OFFERS,
    variables: { productId, quantity: 5, siteId, priority: 'EMERGENCY' },
  };
  for (let i = 0; i < 2; i++) await addVendor(i);
  const two = await statementsFor<{ compareOffers: OfferResult[] }>(compare);
  expect(two.data.compareOffers).toHaveLength(2);

  for (let i = 2; i < 12; i++) await addVendor(i);
  const twelve = await statementsFor<{ compareOffers: OfferResult[] }>(compare);
  expect(twelve.data.compareOffers).toHaveLength(12);
  expect(twelve.data.compareOffers.every((o) => o.vendor.deliveryTerms?.maxDistanceKm === 100)).toBe(true);

  // One statement for the prices and terms, one for Organization.deliveryTerms (a DataLoader).
  expect(two.count).toBe(2);
  expect(twelve.count).toBe(two.count);
});

test('entity references from the router: Organization.deliveryTerms and PriceListEntry in batches', async () => {
  const organizations = (ids: string[]) => ({
    query:
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { id deliveryTerms { baseFee { amountMinor } } } } }',
    variables: { r: ids.map((id) => ({ __typename: 'Organization', id })) },
  });
  const one = await statementsFor(organizations(vendors.slice(0, 1).map((v) => v.id)));
  const all = await statementsFor<{ _entities: { deliveryTerms: unknown }[] }>(
    organizations(vendors.map((v) => v.id)),
  );
  expect(all.data._entities.every((o) => o.deliveryTerms !== null)).toBe(true);
  expect(one.count).toBe(1);
  expect(all.count).toBe(one.count);

  const entryIds = (
    await t.gql<{ priceList: { edges: { node: { id: string } }[] } }>({
      query: 'query ($p: ID) { priceList(productId: $p, first: 100) { edges { node { id } } } }',
      variables: { p: productId },
      token: hospital.token,
    })
  ).data!.priceList.edges.map((e) => e.node.id);
  expect(entryIds).toHaveLength(12);
  const entries = (ids: string[]) => ({
    query:
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on PriceListEntry { id tiers { minQuantity } } } }',
    variables: { r: ids.map((id) => ({ __typename: 'PriceListEntry', id })) },
  });
  const oneEntry = await statementsFor(entries(entryIds.slice(0, 1)));
  const allEntries = await statementsFor<{ _entities: { id: string }[] }>(entries(entryIds));
  expect(allEntries.data._entities.map((e) => e.id)).toEqual(entryIds);
  expect(allEntries.count).toBe(oneEntry.count);
});

/**
 * Vendors written straight into users' and pricing's tables (a thousand through the API would
 * take minutes): approved vendors, each with terms, a price and one depot in range with stock.
 */
async function seedVendors(count: number) {
  const ids: string[] = (
    await t.users.sql<{ id: string }>(
      `INSERT INTO organizations (id, name, kind, status, created_at, updated_at)
       SELECT gen_random_uuid(), 'Bulk vendor ' || n, 'VENDOR', 'ACTIVE', now(), now()
       FROM generate_series(1, $1) AS n RETURNING id::text`,
      [count],
    )
  ).map((row) => row.id);
  await t.sql(
    `INSERT INTO delivery_terms (vendor_organization_id, currency, base_fee_minor, per_km_fee_minor,
       urgent_surcharge_minor, emergency_surcharge_minor, max_distance_km, updated_at)
     SELECT id::uuid, 'USD', 1000, 100, 0, 2000, 100, now() FROM unnest($1::text[]) AS id`,
    [ids],
  );
  await t.sql(
    `INSERT INTO price_list_entries (id, vendor_organization_id, product_id, unit_price_minor, currency, updated_at)
     SELECT gen_random_uuid(), id::uuid, $2::uuid, 1000, 'USD', now() FROM unnest($1::text[]) AS id`,
    [ids, productId],
  );
  ids.forEach((id, index) => {
    const depot = t.locations.addDepot(id, siteId, { distanceKm: 5 + (index % 90), durationMinutes: 20 });
    t.inventory.setStock(depot, productId, 100);
  });
}

test('compareOffers: the same statements in pricing and in users for 10, 100 and 1000 vendors', async () => {
  const compare = {
    query: COMPARE_OFFERS,
    variables: { productId, quantity: 5, siteId, priority: 'ROUTINE' },
  };
  const counts: { offers: number; pricing: number; users: number }[] = [];
  // Added to the 12 vendors of the tests above, which are on the market too.
  for (const total of [10, 100, 1000]) {
    await seedVendors(total - (counts.length ? [10, 100][counts.length - 1]! : 0));
    t.users.statements.length = 0;
    const { count, data } = await statementsFor<{ compareOffers: OfferResult[] }>(compare);
    counts.push({ offers: data.compareOffers.length, pricing: count, users: t.users.statements.length });
  }
  // More offers each time (locations answers at most MAX_DEPOTS depots), never more statements.
  const [ten, hundred, thousand] = counts.map((c) => c.offers);
  expect(ten).toBe(22);
  expect(hundred).toBeGreaterThan(ten!);
  expect(thousand).toBeGreaterThanOrEqual(hundred!);
  expect(counts.map((c) => c.pricing)).toEqual([2, 2, 2]);
  expect(new Set(counts.map((c) => c.users)).size).toBe(1);
}, 120_000);
