import {
  createPaymentsTestEnvironment,
  newViewer,
  orderRefs,
  type PaymentsTestEnvironment,
  type TestViewer,
} from './support';

// What hangs under a payment (its refunds, its invoice) and the payment under an order or an
// invoice must cost one statement each for a whole page or every reference of a request.
let t: PaymentsTestEnvironment;
const hospital = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
const vendor = newViewer('VENDOR', 'VENDOR_ADMIN');
let invoiced: { id: string; order_id: string }[];
let refunded: { id: string; order_id: string }[];

beforeAll(async () => {
  t = await createPaymentsTestEnvironment();
  // Rows straight in the tables: this measures reads, the money moves have tests of their own.
  // Twelve invoiced payments with their open invoices, twelve card payments refunded twice.
  const insertPayments = (method: string, status: string, captured: number, refundedMinor: number) =>
    t.sql<{ id: string; order_id: string }>(
      `INSERT INTO payments (id, order_id, payer_organization_id, payee_organization_id, method, status,
         amount_minor, captured_minor, refunded_minor, currency, created_at, updated_at)
       SELECT gen_random_uuid(), gen_random_uuid(), $1::uuid, $2::uuid, $3::"PaymentMethod",
         $4::"PaymentStatus", 10000, $5, $6, 'USD', now() + n * interval '1 second', now()
       FROM generate_series(1, 12) n
       RETURNING id::text, order_id::text`,
      [hospital.organizationId, vendor.organizationId, method, status, captured, refundedMinor],
    );
  invoiced = await insertPayments('INVOICE', 'INVOICED', 0, 0);
  refunded = await insertPayments('CARD', 'PARTIALLY_REFUNDED', 10000, 2000);
  await t.sql(
    `INSERT INTO invoices (id, payment_id, number, status, payer_organization_id, payee_organization_id,
       amount_minor, currency, purchase_order_number, issued_at, due_at)
     SELECT gen_random_uuid(), p.id, 'INV-BATCH-' || p.n, 'OPEN', $2::uuid, $3::uuid, 10000, 'USD', 'PO-' || p.n,
       now() + p.n * interval '1 second', now() + interval '30 days'
     FROM unnest($1::uuid[]) WITH ORDINALITY p(id, n)`,
    [invoiced.map((p) => p.id), hospital.organizationId, vendor.organizationId],
  );
  await t.sql(
    `INSERT INTO refunds (id, payment_id, amount_minor, currency, reason, created_at)
     SELECT gen_random_uuid(), p.id, 1000, 'USD', 'damaged cylinder ' || r, now() + r * interval '1 second'
     FROM unnest($1::uuid[]) p(id), generate_series(1, 2) r`,
    [refunded.map((p) => p.id)],
  );
});
afterAll(() => t?.stop());

const PAYMENT_LISTS = 'id refunds { reason amount { amountMinor } } invoice { number }';

interface PaymentLists {
  id: string;
  refunds: { reason: string }[];
  invoice: { number: string } | null;
}

/** The statements one request costs (the outbox relay's polling is not the request's). */
async function measured<Data>(viewer: TestViewer, query: string, variables: Record<string, unknown>) {
  const token = await t.as(viewer);
  t.statements.length = 0;
  const result = await t.gql<Data>({ query, variables, token });
  expect(result.errors).toBeUndefined();
  return { statements: t.statements.filter((sql) => !/outbox/i.test(sql)).length, data: result.data! };
}

function expectLists(payment: PaymentLists) {
  if (refunded.some((p) => p.id === payment.id)) {
    expect(payment.refunds.map((r) => r.reason)).toEqual(['damaged cylinder 1', 'damaged cylinder 2']);
    expect(payment.invoice).toBeNull();
  } else {
    expect(payment.refunds).toEqual([]);
    expect(payment.invoice?.number).toMatch(/^INV-BATCH-/);
  }
}

it('lists 2 and 12 invoices with their payments, refunds and invoices in the same statements', async () => {
  const query = `query ($first: Int!) { invoices(first: $first) { totalCount edges { node { number payment { ${PAYMENT_LISTS} } } } } }`;
  type Answer = { invoices: { totalCount: number; edges: { node: { payment: PaymentLists } }[] } };
  for (const viewer of [hospital, vendor]) {
    const two = await measured<Answer>(viewer, query, { first: 2 });
    const twelve = await measured<Answer>(viewer, query, { first: 12 });
    expect(twelve.data.invoices.edges).toHaveLength(12);
    for (const edge of twelve.data.invoices.edges) expectLists(edge.node.payment);
    // The page and its count, then the payments, their refunds and their invoices.
    expect(two.statements).toBe(5);
    expect(twelve.statements).toBe(two.statements);
  }
});

it('resolves the payments of 1 and 24 order references with their lists in the same statements', async () => {
  const query = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id payment { ${PAYMENT_LISTS} } } } }`;
  const orderIds = [...invoiced, ...refunded].map((p) => p.order_id);
  type Answer = { _entities: { id: string; payment: PaymentLists }[] };
  const one = await measured<Answer>(hospital, query, { r: orderRefs(orderIds.slice(0, 1)) });
  const all = await measured<Answer>(hospital, query, { r: orderRefs(orderIds) });
  expect(all.data._entities.map((order) => order.id)).toEqual(orderIds);
  for (const order of all.data._entities) expectLists(order.payment);
  // The payments by order, their refunds, their invoices.
  expect(one.statements).toBe(3);
  expect(all.statements).toBe(one.statements);
});

it('resolves 1 and 24 payment references with their lists in the same statements', async () => {
  const query = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Payment { ${PAYMENT_LISTS} } } }`;
  const ids = [...invoiced, ...refunded].map((p) => p.id);
  const references = (some: string[]) => ({ r: some.map((id) => ({ __typename: 'Payment', id })) });
  type Answer = { _entities: PaymentLists[] };
  const one = await measured<Answer>(vendor, query, references(ids.slice(0, 1)));
  const all = await measured<Answer>(vendor, query, references(ids));
  expect(all.data._entities.map((payment) => payment.id)).toEqual(ids);
  for (const payment of all.data._entities) expectLists(payment);
  expect(one.statements).toBe(3);
  expect(all.statements).toBe(one.statements);
});
