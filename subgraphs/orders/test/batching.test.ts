import { randomUUID } from 'node:crypto';
import {
  createOrdersTestEnvironment,
  newViewer,
  type OrdersTestEnvironment,
  type TestViewer,
} from './support';

// The lists under an order (items, status history, the delivery's last position) must cost one
// statement each for a whole page of orders, or for every order reference of a request.
let t: OrdersTestEnvironment;
const hospital = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
const vendor = newViewer('VENDOR', 'VENDOR_ADMIN');
const driver = newViewer('VENDOR', 'DRIVER', vendor.organizationId);
let orderIds: string[];

/**
 * Rows straight in the tables: this measures reads, the saga has tests of its own. `count`
 * dispatched orders after the `before` already there, newest last, each with three lines, three
 * changes and four positions.
 */
async function insertOrders(count: number, before = 0): Promise<string[]> {
  const ids = (
    await t.sql<{ id: string }>(
      `INSERT INTO orders (id, number, status, priority, hospital_organization_id, placed_by, site_id,
         vendor_organization_id, depot_id, currency, subtotal_minor, delivery_fee_minor, total_minor,
         payment_method, idempotency_key, driver_id, dispatched_at, created_at, updated_at)
       SELECT gen_random_uuid(), 'ORD-BATCH-' || n, 'DISPATCHED', 'ROUTINE', $1::uuid, $2::uuid,
         gen_random_uuid(), $3::uuid, gen_random_uuid(), 'USD', 3000, 500, 3500, 'CARD', 'batch-' || n,
         $4::uuid, now(), now() + n * interval '1 second', now()
       FROM generate_series($5::int + 1, $5::int + $6::int) n
       ORDER BY n
       RETURNING id::text`,
      [hospital.organizationId, hospital.userId, vendor.organizationId, driver.userId, before, count],
    )
  ).map((row) => row.id);
  await t.sql(
    `INSERT INTO order_items (id, order_id, line_no, product_id, quantity, currency, unit_price_minor, line_total_minor)
     SELECT gen_random_uuid(), o.id, line, gen_random_uuid(), line, 'USD', 1000, 1000 * line
     FROM unnest($1::uuid[]) o(id), generate_series(1, 3) line`,
    [ids],
  );
  await t.sql(
    `INSERT INTO order_status_changes (id, order_id, status, at, actor_id)
     SELECT gen_random_uuid(), o.id, s.status::"OrderStatus", now() + s.n * interval '1 second', $2::uuid
     FROM unnest($1::uuid[]) o(id),
          unnest(ARRAY['PLACED', 'CONFIRMED', 'DISPATCHED']) WITH ORDINALITY s(status, n)`,
    [ids, vendor.userId],
  );
  await t.sql(
    `INSERT INTO delivery_positions (id, order_id, lat, lng, at)
     SELECT gen_random_uuid(), o.id, 50 + p, 8, now() + p * interval '1 second'
     FROM unnest($1::uuid[]) o(id), generate_series(1, 4) p`,
    [ids],
  );
  return ids;
}

beforeAll(async () => {
  t = await createOrdersTestEnvironment();
  orderIds = await insertOrders(12);
});
afterAll(() => t?.stop());

const NESTED = `id items { quantity lineTotal { amountMinor } product { id } }
  statusHistory { status actor { id } } delivery { driver { id } lastPosition { lat at } }`;

interface NestedOrder {
  id: string;
  items: { quantity: number }[];
  statusHistory: { status: string }[];
  delivery: { lastPosition: { lat: number } | null } | null;
}

/** The statements one request costs (the outbox relay's polling is not the request's). */
async function measured<Data>(viewer: TestViewer, query: string, variables: Record<string, unknown>) {
  const token = await t.as(viewer);
  t.statements.length = 0;
  const result = await t.gql<Data>({ query, variables, token });
  expect(result.errors).toBeUndefined();
  return { statements: t.statements.filter((sql) => !/outbox/i.test(sql)).length, data: result.data! };
}

function expectComplete(orders: NestedOrder[]) {
  for (const order of orders) {
    expect(order.items.map((item) => item.quantity)).toEqual([1, 2, 3]);
    expect(order.statusHistory.map((change) => change.status)).toEqual(['PLACED', 'CONFIRMED', 'DISPATCHED']);
    expect(order.delivery?.lastPosition?.lat).toBe(54);
  }
}

it('lists 2 and 12 orders with their items, history and last position in the same statements', async () => {
  const query = `query ($first: Int!) { orders(first: $first) { totalCount edges { node { ${NESTED} } } } }`;
  type Answer = { orders: { totalCount: number; edges: { node: NestedOrder }[] } };
  for (const viewer of [hospital, vendor, driver]) {
    const two = await measured<Answer>(viewer, query, { first: 2 });
    const twelve = await measured<Answer>(viewer, query, { first: 12 });
    expect(twelve.data.orders.totalCount).toBe(12);
    expect(twelve.data.orders.edges.map((edge) => edge.node.id)).toEqual([...orderIds].reverse());
    expectComplete(twelve.data.orders.edges.map((edge) => edge.node));
    // The page, its count, then one statement each for items, history and last positions.
    expect(two.statements).toBe(5);
    expect(twelve.statements).toBe(two.statements);
  }
});

it('resolves 1 and 12 order references with their lists in the same statements', async () => {
  const query = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order { ${NESTED} } } }`;
  const references = (ids: string[]) => ({ r: ids.map((id) => ({ __typename: 'Order', id })) });
  type Answer = { _entities: NestedOrder[] };
  const one = await measured<Answer>(hospital, query, references(orderIds.slice(0, 1)));
  const twelve = await measured<Answer>(hospital, query, references(orderIds));
  expect(twelve.data._entities.map((order) => order.id)).toEqual(orderIds);
  expectComplete(twelve.data._entities);
  // The orders, then items, history and last positions.
  expect(one.statements).toBe(4);
  expect(twelve.statements).toBe(one.statements);
});

it('costs no list statements for references the viewer may not see', async () => {
  const query = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order { ${NESTED} } } }`;
  const stranger = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
  const { data, statements } = await measured<{ _entities: unknown[] }>(stranger, query, {
    r: [...orderIds, randomUUID()].map((id) => ({ __typename: 'Order', id })),
  });
  expect(data._entities).toEqual(orderIds.map(() => null).concat(null));
  expect(statements).toBe(1);
});

it('pages 50 orders with their lists in the same statements among 12, 100 and 1000 orders', async () => {
  const query = `query { orders(first: 50) { totalCount edges { node { ${NESTED} } } } }`;
  type Answer = { orders: { totalCount: number; edges: { node: NestedOrder }[] } };
  const counts: number[] = [];
  let have = orderIds.length;
  for (const total of [12, 100, 1000]) {
    if (total > have) await insertOrders(total - have, have);
    have = total;
    const page = await measured<Answer>(hospital, query, {});
    expect(page.data.orders.totalCount).toBe(total);
    expect(page.data.orders.edges).toHaveLength(Math.min(total, 50));
    expectComplete(page.data.orders.edges.map((edge) => edge.node));
    counts.push(page.statements);
  }
  expect(counts).toEqual([5, 5, 5]);
}, 60_000);
