import { randomUUID } from 'node:crypto';
import {
  ORDER_PAYMENTS,
  PAYMENT,
  cardInput,
  createPaymentsTestEnvironment,
  invoiceInput,
  newViewer,
  orderRefs,
  type PaymentsTestEnvironment,
  type TestViewer,
} from './support';

// Issue 11 item 9: drivers read every payment and invoice of their vendor. Now a driver reads only
// those of the orders assigned to them, as payments learns from the orders events.

let t: PaymentsTestEnvironment;
const hospital = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
const vendorAdmin = newViewer('VENDOR', 'VENDOR_ADMIN');
const driver1 = newViewer('VENDOR', 'DRIVER', vendorAdmin.organizationId);
const driver2 = newViewer('VENDOR', 'DRIVER', vendorAdmin.organizationId);
const INVOICES = `{ invoices(first: 50) { totalCount edges { node { number payment { id orderId } } } } }`;

interface Order {
  orderId: string;
  paymentId: string;
  number: string;
}
let a: Order;
let b: Order;

beforeAll(async () => {
  t = await createPaymentsTestEnvironment();
  a = await order();
  b = await order();
});
afterAll(() => t.stop());

async function order(): Promise<Order> {
  const input = invoiceInput(hospital.organizationId, vendorAdmin.organizationId);
  const result = await t.authorize<{ authorizePayment: { id: string; invoice: { number: string } } }>(
    hospital,
    input,
  );
  expect(result.errors).toBeUndefined();
  const payment = result.data!.authorizePayment;
  return { orderId: input.orderId, paymentId: payment.id, number: payment.invoice.number };
}

async function payment(viewer: TestViewer, id: string) {
  const result = await t.gql<{ payment: { id: string } | null }>({
    query: PAYMENT,
    variables: { id },
    token: await t.as(viewer),
  });
  return result.data?.payment ? 'visible' : result.errors?.[0]?.extensions?.code;
}

async function invoices(viewer: TestViewer) {
  const result = await t.gql<{
    invoices: { totalCount: number; edges: { node: { number: string; payment: { orderId: string } } }[] };
  }>({ query: INVOICES, token: await t.as(viewer) });
  expect(result.errors).toBeUndefined();
  return {
    total: result.data!.invoices.totalCount,
    numbers: result.data!.invoices.edges.map((e) => e.node.number).sort(),
  };
}

async function orderPayments(viewer: TestViewer, orderIds: string[]) {
  const result = await t.gql<{ _entities: { id: string; payment: { id: string } | null }[] }>({
    query: ORDER_PAYMENTS,
    variables: { r: orderRefs(orderIds) },
    token: await t.as(viewer),
  });
  expect(result.errors).toBeUndefined();
  return result.data!._entities.map((o) => o.payment?.id ?? null);
}

/** Everything driver sees of orders a and b, on every read path. */
async function seen(viewer: TestViewer) {
  return {
    a: await payment(viewer, a.paymentId),
    b: await payment(viewer, b.paymentId),
    orders: await orderPayments(viewer, [a.orderId, b.orderId]),
    invoices: (await invoices(viewer)).numbers,
  };
}

const none = { a: 'NOT_FOUND', b: 'NOT_FOUND', orders: [null, null], invoices: [] };

describe('drivers read only the payments of orders assigned to them', () => {
  test('a driver with no assigned order sees nothing; the vendor admin sees both', async () => {
    expect(await seen(driver1)).toEqual(none);
    expect(await seen(vendorAdmin)).toMatchObject({ a: 'visible', b: 'visible' });
  });

  test('assigned to order A: A’s payment, invoice and Order.payment, none of B’s', async () => {
    const at = Date.now();
    await t.orderEvent(a.orderId, driver1.userId, new Date(at));
    await t.orderEvent(b.orderId, driver2.userId, new Date(at));
    expect(await seen(driver1)).toEqual({
      a: 'visible',
      b: 'NOT_FOUND',
      orders: [a.paymentId, null],
      invoices: [a.number],
    });
    expect((await invoices(driver1)).total).toBe(1);
    expect(await seen(driver2)).toEqual({
      a: 'NOT_FOUND',
      b: 'visible',
      orders: [null, b.paymentId],
      invoices: [b.number],
    });
  });

  test('after reassignment the rule follows; redelivered and late older events change nothing', async () => {
    const base = Date.now() + 60_000;
    const reassigned = randomUUID();
    await t.orderEvent(a.orderId, driver2.userId, new Date(base), reassigned);
    const expected = {
      driver1: none,
      driver2: {
        a: 'visible',
        b: 'visible',
        orders: [a.paymentId, b.paymentId],
        invoices: [a.number, b.number].sort(),
      },
    };
    expect({ driver1: await seen(driver1), driver2: await seen(driver2) }).toEqual(expected);
    // The same event again, the first assignment arriving late, an older order.placed (no driver).
    await t.orderEvent(a.orderId, driver2.userId, new Date(base), reassigned);
    await t.orderEvent(a.orderId, driver1.userId, new Date(base - 30_000));
    await t.orderEvent(a.orderId, null, new Date(base - 90_000));
    expect({ driver1: await seen(driver1), driver2: await seen(driver2) }).toEqual(expected);
    const [row] = await t.sql<{ driver_id: string; event_id: string }>(
      `SELECT driver_id::text, event_id::text FROM order_drivers WHERE order_id = $1::uuid`,
      [a.orderId],
    );
    expect(row).toEqual({ driver_id: driver2.userId, event_id: reassigned });
  });

  test('an event not from orders, or a driver of another vendor, grants nothing', async () => {
    const c = await order();
    const stranger = newViewer('VENDOR', 'DRIVER');
    await t.app.services.orderDrivers.handle({
      id: randomUUID(),
      type: 'order.dispatched',
      occurredAt: new Date().toISOString(),
      actor: null,
      organizationIds: [],
      data: { orderId: c.orderId, driverId: driver1.userId },
      source: 'payments',
    });
    expect(await payment(driver1, c.paymentId)).toBe('NOT_FOUND');
    await t.orderEvent(c.orderId, stranger.userId);
    expect(await payment(stranger, c.paymentId)).toBe('NOT_FOUND');
  });
});

describe('a driver’s reads stay batched', () => {
  const driver = newViewer('VENDOR', 'DRIVER', vendorAdmin.organizationId);
  const orders: Order[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 10; i += 1) {
      const o = i % 2 ? await order() : await cardOrder();
      orders.push(o);
      await t.orderEvent(o.orderId, driver.userId);
    }
  });

  async function cardOrder(): Promise<Order> {
    const input = cardInput(hospital.organizationId, vendorAdmin.organizationId);
    const result = await t.authorize<{ authorizePayment: { id: string } }>(hospital, input);
    return { orderId: input.orderId, paymentId: result.data!.authorizePayment.id, number: '' };
  }

  async function statements(run: () => Promise<unknown>) {
    t.statements.length = 0;
    await run();
    return t.statements.length;
  }

  test('Order.payment for 1 and 10 orders: the same statements', async () => {
    const ids = orders.map((o) => o.orderId);
    const one = await statements(async () =>
      expect(await orderPayments(driver, ids.slice(0, 1))).toHaveLength(1),
    );
    const ten = await statements(async () =>
      expect((await orderPayments(driver, ids)).every((id) => id !== null)).toBe(true),
    );
    expect(ten).toBe(one);
  });

  test('invoices with their payments, 1 and 5 of them: the same statements', async () => {
    const page = (first: number) => async () => {
      const result = await t.gql<{ invoices: { edges: { node: { payment: { id: string } } }[] } }>({
        query: `{ invoices(first: ${first}) { totalCount edges { node { number payment { id refunds { id } } } } } }`,
        token: await t.as(driver),
      });
      expect(result.data!.invoices.edges).toHaveLength(first);
    };
    expect(await statements(page(5))).toBe(await statements(page(1)));
  });
});
