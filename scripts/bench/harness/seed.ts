// A realistic data set written straight into the subgraphs' schemas (the API would take hours for
// tens of thousands of orders), each subgraph's rows as its own model has them: organizations in
// users, sites in locations, depots and stock in inventory, prices and delivery terms in pricing,
// orders with their items and history in orders. Ids agree across schemas as federation expects.
import { randomUUID } from 'node:crypto';
import type { FlowPlatform } from './flow-platform';

export interface SeedSize {
  vendors: number;
  hospitals: number;
  orders: number;
  /** Orders of the benchmark's own hospital (the one that lists them). */
  ownOrders: number;
}

export const QUICK_SEED: SeedSize = { vendors: 1000, hospitals: 50, orders: 3000, ownOrders: 200 };
export const FULL_SEED: SeedSize = { vendors: 1000, hospitals: 300, orders: 30_000, ownOrders: 2000 };

/** compareOffers list sizes: product i is priced and stocked by the first OFFER_SIZES[i] vendors. */
export const OFFER_SIZES = [10, 100, 1000];

export interface SeededData {
  size: SeedSize;
  /** Standard products: one per offer size, then the one placeOrder contends for. */
  offerProducts: { productId: string; vendors: number }[];
  contendedProductId: string;
  vendorIds: string[];
  ownOrderIds: string[];
  seconds: number;
}

const near = (base: number, i: number, spread: number) => base + (((i * 7919) % 1000) / 1000 - 0.5) * spread;

export async function seed(
  platform: FlowPlatform,
  size: SeedSize,
  own: { organizationId: string; userId: string; siteId: string; position: { lat: number; lng: number } },
): Promise<SeededData> {
  const started = Date.now();
  const products = await platform.sql<{ id: string; name: string; sku: string }>(
    'inventory',
    'SELECT id, name, sku FROM products WHERE active ORDER BY sku LIMIT $1',
    [OFFER_SIZES.length + 1],
  );
  if (products.length < OFFER_SIZES.length + 1) throw new Error('the standard catalog has too few products');
  const vendorIds = Array.from({ length: size.vendors }, () => randomUUID());
  const depotIds = Array.from({ length: size.vendors }, () => randomUUID());
  const hospitalIds = Array.from({ length: size.hospitals }, () => randomUUID());
  const hospitalSiteIds = Array.from({ length: size.hospitals }, () => randomUUID());

  await platform.sql(
    'users',
    `INSERT INTO organizations (id, name, kind, status, updated_at)
     SELECT id, 'Bench vendor ' || n, 'VENDOR'::"OrganizationKind", 'ACTIVE'::"OrganizationStatus", now() FROM unnest($1::uuid[]) WITH ORDINALITY AS v(id, n)
     UNION ALL
     SELECT id, 'Bench hospital ' || n, 'HOSPITAL'::"OrganizationKind", 'ACTIVE'::"OrganizationStatus", now() FROM unnest($2::uuid[]) WITH ORDINALITY AS h(id, n)`,
    [vendorIds, hospitalIds],
  );
  const lat = (i: number) => near(own.position.lat, i, 0.4);
  const lng = (i: number) => near(own.position.lng, i + 500, 0.4);
  await platform.sql(
    'locations',
    `INSERT INTO sites (id, organization_id, name, kind, address_line1, address_city, address_country, lat, lng, position_source, updated_at)
     SELECT d.id, d.org, 'Depot ' || d.n, 'DEPOT'::"SiteKind", 'Depot road ' || d.n, 'Nairobi', 'KE', d.lat, d.lng, 'GIVEN'::"PositionSource", now()
     FROM unnest($1::uuid[], $2::uuid[], $3::float8[], $4::float8[]) WITH ORDINALITY AS d(id, org, lat, lng, n)
     UNION ALL
     SELECT s.id, s.org, 'Ward ' || s.n, 'HOSPITAL_SITE'::"SiteKind", 'Hospital road ' || s.n, 'Nairobi', 'KE', s.lat, s.lng, 'GIVEN'::"PositionSource", now()
     FROM unnest($5::uuid[], $6::uuid[], $7::float8[], $8::float8[]) WITH ORDINALITY AS s(id, org, lat, lng, n)`,
    [
      depotIds,
      vendorIds,
      depotIds.map((_, i) => lat(i)),
      depotIds.map((_, i) => lng(i)),
      hospitalSiteIds,
      hospitalIds,
      hospitalSiteIds.map((_, i) => lat(i + 3000)),
      hospitalSiteIds.map((_, i) => lng(i + 3000)),
    ],
  );
  await platform.sql(
    'inventory',
    'INSERT INTO depots (id, organization_id) SELECT * FROM unnest($1::uuid[], $2::uuid[])',
    [depotIds, vendorIds],
  );
  const offerProducts = OFFER_SIZES.map((vendors, i) => ({ productId: products[i]!.id, vendors }));
  for (const { productId, vendors } of offerProducts) {
    await platform.sql(
      'inventory',
      `INSERT INTO stock_levels (depot_id, product_id, vendor_organization_id, on_hand, reserved, reorder_level, updated_at)
       SELECT d, $3, v, 1000000, 0, 0, now() FROM unnest($1::uuid[], $2::uuid[]) AS s(d, v)`,
      [depotIds.slice(0, vendors), vendorIds.slice(0, vendors), productId],
    );
    await platform.sql(
      'pricing',
      `INSERT INTO price_list_entries (id, vendor_organization_id, product_id, unit_price_minor, currency, updated_at)
       SELECT gen_random_uuid(), v, $2, 5000 + (n * 37) % 3000, 'USD', now() FROM unnest($1::uuid[]) WITH ORDINALITY AS p(v, n)`,
      [vendorIds.slice(0, vendors), productId],
    );
  }
  await platform.sql(
    'pricing',
    `INSERT INTO delivery_terms (vendor_organization_id, currency, base_fee_minor, per_km_fee_minor, urgent_surcharge_minor, emergency_surcharge_minor, max_distance_km, updated_at)
     SELECT v, 'USD', 1000, 100, 500, 2500, 200, now() FROM unnest($1::uuid[]) AS t(v)`,
    [vendorIds],
  );

  // Orders: the benchmark hospital's own first, then the other hospitals', from the first 100
  // vendors, one or two items each, spread over the past year.
  const ownOrderIds = Array.from({ length: size.ownOrders }, () => randomUUID());
  const otherIds = Array.from({ length: size.orders - size.ownOrders }, () => randomUUID());
  const orderIds = [...ownOrderIds, ...otherIds];
  const hospitalOf = (i: number) =>
    i < size.ownOrders ? own.organizationId : hospitalIds[i % size.hospitals]!;
  const siteOf = (i: number) => (i < size.ownOrders ? own.siteId : hospitalSiteIds[i % size.hospitals]!);
  const vendorOf = (i: number) => i % Math.min(100, size.vendors);
  const statuses = ['DELIVERED', 'DELIVERED', 'DELIVERED', 'CONFIRMED', 'DISPATCHED', 'PLACED', 'CANCELLED'];
  const BATCH = 5000;
  for (let start = 0; start < orderIds.length; start += BATCH) {
    const slice = orderIds.slice(start, start + BATCH).map((id, k) => ({ id, i: start + k }));
    await platform.sql(
      'orders',
      `INSERT INTO orders (id, number, status, priority, hospital_organization_id, placed_by, site_id,
         vendor_organization_id, depot_id, currency, subtotal_minor, delivery_fee_minor, total_minor,
         payment_method, idempotency_key, placed_at, created_at, updated_at)
       SELECT o.id, 'ORD-2025-' || lpad(o.i::text, 6, '0'), o.status::"OrderStatus", 'ROUTINE', o.hospital, o.placed_by,
         o.site, o.vendor, o.depot, 'USD', 10000, 1500, 11500, 'CARD', 'bench-' || o.i,
         now() - (o.i || ' minutes')::interval, now() - (o.i || ' minutes')::interval, now()
       FROM unnest($1::uuid[], $2::int[], $3::text[], $4::uuid[], $5::uuid[], $6::uuid[], $7::uuid[], $8::uuid[])
         AS o(id, i, status, hospital, placed_by, site, vendor, depot)`,
      [
        slice.map((o) => o.id),
        slice.map((o) => o.i),
        slice.map((o) => statuses[o.i % statuses.length]!),
        slice.map((o) => hospitalOf(o.i)),
        slice.map((o) => (o.i < size.ownOrders ? own.userId : randomUUID())),
        slice.map((o) => siteOf(o.i)),
        slice.map((o) => vendorIds[vendorOf(o.i)]!),
        slice.map((o) => depotIds[vendorOf(o.i)]!),
      ],
    );
    await platform.sql(
      'orders',
      // Each line records the product as placement does when it holds the stock (its name and SKU).
      `INSERT INTO order_items (id, order_id, line_no, product_id, product_name, product_sku, quantity,
         currency, unit_price_minor, line_total_minor)
       SELECT gen_random_uuid(), o.id, l.line_no, ($3::uuid[])[l.line_no], ($4::text[])[l.line_no],
         ($5::text[])[l.line_no], 2, 'USD', 2500, 5000
       FROM unnest($1::uuid[], $2::int[]) AS o(id, i), LATERAL generate_series(1, 1 + o.i % 2) AS l(line_no)`,
      [
        slice.map((o) => o.id),
        slice.map((o) => o.i),
        ...(['id', 'name', 'sku'] as const).map((column) => [products[0]![column], products[1]![column]]),
      ],
    );
    await platform.sql(
      'orders',
      `INSERT INTO order_status_changes (id, order_id, status, at)
       SELECT gen_random_uuid(), o.id, 'PLACED', now() FROM unnest($1::uuid[]) AS o(id)`,
      [slice.map((o) => o.id)],
    );
  }
  return {
    size,
    offerProducts,
    contendedProductId: products[OFFER_SIZES.length]!.id,
    vendorIds,
    ownOrderIds,
    seconds: (Date.now() - started) / 1000,
  };
}
