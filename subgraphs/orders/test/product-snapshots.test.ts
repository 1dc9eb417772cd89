import { randomUUID } from 'node:crypto';
import {
  createOrdersTestEnvironment,
  newViewer,
  PLACE_ORDER,
  type OrdersTestEnvironment,
  type ScriptedDependencies,
} from './support';

// An order line records what was ordered (the product's name and SKU when its stock was held), so
// that order.items provides Product.name and sku to the router without a call to inventory. Lines
// held before that record existed are served from inventory until the backfill job fills them.
let t: OrdersTestEnvironment;
let deps: ScriptedDependencies;
const hospital = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
const vendor = newViewer('VENDOR', 'VENDOR_ADMIN');
const site = randomUUID();
const depot = randomUUID();
const oxygen = randomUUID();
const nitrogen = randomUUID();

const ITEMS = `query ($id: ID!) { order(id: $id) { items { product { id name sku } quantity } } }`;
type Items = { order: { items: { product: { id: string; name: string; sku: string }; quantity: number }[] } };

beforeAll(async () => {
  t = await createOrdersTestEnvironment();
  deps = t.dependencies;
  deps.depots.push({
    vendorId: vendor.organizationId,
    depotId: depot,
    deliveryFeeMinor: 2500,
    distanceKm: 8,
    etaMinutes: 20,
    prices: { [oxygen]: 1500, [nitrogen]: 800 },
  });
});
afterAll(() => t?.stop());

async function items(orderId: string) {
  const result = await t.gql<Items>({
    query: ITEMS,
    variables: { id: orderId },
    token: await t.as(hospital),
  });
  expect(result.errors).toBeUndefined();
  return result.data!.order.items;
}

const snapshotsOf = (orderId: string) =>
  t.sql<{ productName: string | null; productSku: string | null }>(
    `SELECT product_name AS "productName", product_sku AS "productSku" FROM order_items
     WHERE order_id = $1::uuid ORDER BY line_no`,
    [orderId],
  );

/** An order placed before lines recorded their product: lines held, no name or SKU on them. */
async function legacyOrder([first, second] = [oxygen, nitrogen]): Promise<string> {
  const [order] = await t.sql<{ id: string }>(
    `INSERT INTO orders (id, number, status, priority, hospital_organization_id, placed_by, site_id,
       vendor_organization_id, depot_id, currency, subtotal_minor, delivery_fee_minor, total_minor,
       payment_method, idempotency_key, placed_at, created_at, updated_at)
     VALUES (gen_random_uuid(), 'ORD-LEGACY-' || floor(random() * 1e9), 'PLACED', 'ROUTINE', $1::uuid,
       $2::uuid, $3::uuid, $4::uuid, $5::uuid, 'USD', 3800, 2500, 6300, 'CARD', gen_random_uuid()::text,
       now(), now(), now())
     RETURNING id::text`,
    [hospital.organizationId, hospital.userId, site, vendor.organizationId, depot],
  );
  const orderId = order!.id;
  for (const [lineNo, productId, quantity] of [
    [1, first, 2],
    [2, second, 1],
  ] as const) {
    const hold = deps.landHold({
      depotId: depot,
      productId,
      quantity,
      reference: `order:${orderId}:${lineNo}`,
      holdSeconds: 900,
      organizationId: hospital.organizationId,
    });
    await t.sql(
      `INSERT INTO order_items (id, order_id, line_no, product_id, quantity, currency, unit_price_minor,
         line_total_minor, reservation_id)
       VALUES (gen_random_uuid(), $1::uuid, $2, $3::uuid, $4, 'USD', 1000, 1000 * $4, $5::uuid)`,
      [orderId, lineNo, productId, quantity, hold.id],
    );
  }
  return orderId;
}

it('records each line’s product from its hold and answers with it, without asking inventory', async () => {
  const result = await t.gql<{ placeOrder: { id: string } }>({
    query: PLACE_ORDER,
    variables: {
      input: {
        siteId: site,
        items: [
          { productId: oxygen, quantity: 2 },
          { productId: nitrogen, quantity: 1 },
        ],
        payment: { method: 'CARD', cardToken: 'tok_visa' },
      },
      key: `snapshot-${randomUUID()}`,
    },
    token: await t.as(hospital),
  });
  expect(result.errors).toBeUndefined();
  const orderId = result.data!.placeOrder.id;
  expect(await snapshotsOf(orderId)).toEqual([
    { productName: deps.catalogProduct(oxygen).name, productSku: deps.catalogProduct(oxygen).sku },
    { productName: deps.catalogProduct(nitrogen).name, productSku: deps.catalogProduct(nitrogen).sku },
  ]);

  const asked = deps.callsOf('products').length;
  expect(await items(orderId)).toEqual([
    { product: deps.catalogProduct(oxygen), quantity: 2 },
    { product: deps.catalogProduct(nitrogen), quantity: 1 },
  ]);
  expect(deps.callsOf('products')).toHaveLength(asked);
});

it('fills lines without a record the first time they are shown: one call to inventory, then none', async () => {
  const first = await legacyOrder();
  const second = await legacyOrder();
  const unread = await legacyOrder();
  const asked = deps.callsOf('products').length;

  // Only the key asked (the router resolving other fields in inventory): no call, nothing filled.
  await t.gql({
    query: `query ($id: ID!) { order(id: $id) { items { product { id } } } }`,
    variables: { id: first },
    token: await t.as(hospital),
  });
  expect(deps.callsOf('products')).toHaveLength(asked);
  expect(await snapshotsOf(first)).toEqual([
    { productName: null, productSku: null },
    { productName: null, productSku: null },
  ]);

  // Both orders in one request: one call to inventory for every product of every line.
  const both = await t.gql<{ a: Items['order']; b: Items['order'] }>({
    query: `query ($a: ID!, $b: ID!) {
      a: order(id: $a) { items { product { id name sku } quantity } }
      b: order(id: $b) { items { product { id name sku } quantity } } }`,
    variables: { a: first, b: second },
    token: await t.as(hospital),
  });
  expect(both.errors).toBeUndefined();
  for (const order of [both.data!.a, both.data!.b])
    expect(order.items).toEqual([
      { product: deps.catalogProduct(oxygen), quantity: 2 },
      { product: deps.catalogProduct(nitrogen), quantity: 1 },
    ]);
  expect(deps.callsOf('products').slice(asked)).toHaveLength(1);
  expect(new Set(deps.callsOf('products').at(-1)![0])).toEqual(new Set([oxygen, nitrogen]));

  // Recorded on every line of those products, shown or not: no call again, nothing left to backfill.
  const recorded = [
    { productName: deps.catalogProduct(oxygen).name, productSku: deps.catalogProduct(oxygen).sku },
    { productName: deps.catalogProduct(nitrogen).name, productSku: deps.catalogProduct(nitrogen).sku },
  ];
  for (const orderId of [first, second, unread]) expect(await snapshotsOf(orderId)).toEqual(recorded);
  expect(await items(unread)).toEqual([
    { product: deps.catalogProduct(oxygen), quantity: 2 },
    { product: deps.catalogProduct(nitrogen), quantity: 1 },
  ]);
  expect(deps.callsOf('products').slice(asked)).toHaveLength(1);
  expect(await t.app.services.productBackfill.runOnce()).toBe(0);
});

it('backfills lines nobody has shown yet: one hold asked per product, however many lines', async () => {
  // Products of their own: the lines of the products above are filled already.
  const [oxygen2, nitrogen2] = [randomUUID(), randomUUID()];
  deps.depots[0]!.prices[oxygen2] = 1500;
  deps.depots[0]!.prices[nitrogen2] = 800;
  const first = await legacyOrder([oxygen2, nitrogen2]);
  const second = await legacyOrder([oxygen2, nitrogen2]);
  const holdsAsked = deps.callsOf('productOfHold').length;
  expect(await t.app.services.productBackfill.runOnce()).toBe(4);
  expect(deps.callsOf('productOfHold').slice(holdsAsked)).toHaveLength(2);
  for (const orderId of [first, second])
    expect(await snapshotsOf(orderId)).toEqual([
      { productName: deps.catalogProduct(oxygen2).name, productSku: deps.catalogProduct(oxygen2).sku },
      { productName: deps.catalogProduct(nitrogen2).name, productSku: deps.catalogProduct(nitrogen2).sku },
    ]);
  expect(await t.app.services.productBackfill.runOnce()).toBe(0);
  const asked = deps.callsOf('products').length;
  expect((await items(first)).map((item) => item.product)).toEqual([
    deps.catalogProduct(oxygen2),
    deps.catalogProduct(nitrogen2),
  ]);
  expect(deps.callsOf('products')).toHaveLength(asked);
});

it('leaves a line whose hold inventory does not know to the read path, which fills it', async () => {
  const [oxygen3, nitrogen3] = [randomUUID(), randomUUID()];
  const orderId = await legacyOrder([oxygen3, nitrogen3]);
  // The holds are gone (say, inventory's table was restored from an older backup).
  for (const [id, hold] of deps.reservations)
    if (hold.reference.startsWith(`order:${orderId}:`)) deps.reservations.delete(id);
  expect(await t.app.services.productBackfill.runOnce()).toBe(0);
  expect(await snapshotsOf(orderId)).toEqual([
    { productName: null, productSku: null },
    { productName: null, productSku: null },
  ]);
  expect((await items(orderId)).map((item) => item.product)).toEqual([
    deps.catalogProduct(oxygen3),
    deps.catalogProduct(nitrogen3),
  ]);
  expect(await snapshotsOf(orderId)).toEqual([
    { productName: deps.catalogProduct(oxygen3).name, productSku: deps.catalogProduct(oxygen3).sku },
    { productName: deps.catalogProduct(nitrogen3).name, productSku: deps.catalogProduct(nitrogen3).sku },
  ]);
});
