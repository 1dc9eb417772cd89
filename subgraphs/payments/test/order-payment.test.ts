import { randomUUID } from 'node:crypto';
import {
  AUTHORIZE,
  ORDER_PAYMENTS,
  VOID,
  cardInput,
  createPaymentsTestEnvironment,
  invoiceInput,
  newViewer,
  orderRefs,
  type PaymentsTestEnvironment,
} from './support';

interface OrderPayment {
  id: string;
  payment: { id: string; status: string; orderId: string } | null;
}
type Entities = { _entities: OrderPayment[] };

let t: PaymentsTestEnvironment;
const hospital = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
const vendor = newViewer('VENDOR', 'VENDOR_STAFF');
const admin = newViewer('PLATFORM', 'PLATFORM_ADMIN');

beforeAll(async () => {
  t = await createPaymentsTestEnvironment();
});
afterAll(() => t.stop());

/** A payment made by the orders service for a new order; the order id. */
async function paidOrder(
  input: { orderId: string } & Record<string, unknown> = cardInput(
    hospital.organizationId,
    vendor.organizationId,
  ),
) {
  const orders = await t.orders(hospital);
  await orders.mutate(AUTHORIZE, { input, key: randomUUID() });
  return input.orderId;
}

async function declined(orderId: string): Promise<string> {
  const orders = await t.orders(hospital);
  const input = {
    ...cardInput(hospital.organizationId, vendor.organizationId, 100, 'tok_chargeDeclined'),
    orderId,
  };
  const error = await orders.mutate(AUTHORIZE, { input, key: randomUUID() }).catch((e: unknown) => e);
  expect(error).toMatchObject({ extensions: { code: 'PAYMENT_DECLINED' } });
  return (error as { extensions: { paymentId: string } }).extensions.paymentId;
}

async function paymentsAs(viewer: Parameters<PaymentsTestEnvironment['as']>[0] | null, orderIds: string[]) {
  const result = await t.gql<Entities>({
    query: ORDER_PAYMENTS,
    variables: { r: orderRefs(orderIds) },
    token: viewer ? await t.as(viewer) : undefined,
  });
  expect(result.errors).toBeUndefined();
  return result.data!._entities;
}

describe('Order.payment', () => {
  test('the payer, the payee and platform admins see it; another organization or nobody gets null', async () => {
    const orderId = await paidOrder();
    for (const viewer of [hospital, vendor, admin]) {
      const [order] = await paymentsAs(viewer, [orderId]);
      expect(order).toMatchObject({ id: orderId, payment: { status: 'AUTHORIZED', orderId } });
    }
    for (const stranger of [
      newViewer('HOSPITAL', 'HOSPITAL_ADMIN'),
      newViewer('VENDOR', 'VENDOR_ADMIN'),
      null,
    ])
      expect(await paymentsAs(stranger, [orderId])).toEqual([{ id: orderId, payment: null }]);
  });

  test('the orders service with no viewer (its recovery job) finds the payment of a crashed placement', async () => {
    const orderId = await paidOrder(invoiceInput(hospital.organizationId, vendor.organizationId));
    const unknown = randomUUID();
    const job = await t.orders(null);
    const data = await job.query<Entities>(ORDER_PAYMENTS, { r: orderRefs([orderId, unknown]) });
    expect(data._entities).toEqual([
      { id: orderId, payment: { id: expect.any(String), status: 'INVOICED', orderId } },
      { id: unknown, payment: null },
    ]);
  });

  test('a declined then a successful attempt for the same order: the successful one', async () => {
    const orderId = randomUUID();
    await declined(orderId);
    await paidOrder({ ...cardInput(hospital.organizationId, vendor.organizationId), orderId });
    const [order] = await paymentsAs(hospital, [orderId]);
    expect(order!.payment).toMatchObject({ status: 'AUTHORIZED' });
  });

  test('a declined attempt newer than the live payment (two placements racing) does not hide it', async () => {
    const orderId = await paidOrder();
    const late = await declined(randomUUID());
    await t.sql(
      `UPDATE payments SET order_id = $1::uuid, created_at = now() + interval '1 minute' WHERE id = $2::uuid`,
      [orderId, late],
    );
    const [order] = await paymentsAs(hospital, [orderId]);
    expect(order!.payment).toMatchObject({ status: 'AUTHORIZED' });
  });

  test('only declined attempts: the latest one', async () => {
    const orderId = randomUUID();
    await declined(orderId);
    const latest = await declined(orderId);
    const [order] = await paymentsAs(hospital, [orderId]);
    expect(order!.payment).toEqual({ id: latest, status: 'FAILED', orderId });
  });

  test('a voided payment is still the live one (not FAILED)', async () => {
    const orderId = await paidOrder();
    const [before] = await paymentsAs(admin, [orderId]);
    await (await t.orders(hospital)).mutate(VOID, { id: before!.payment!.id, key: randomUUID() });
    const [after] = await paymentsAs(admin, [orderId]);
    expect(after!.payment).toMatchObject({ id: before!.payment!.id, status: 'VOIDED' });
  });

  test('not a uuid: null, no error', async () => {
    expect(await paymentsAs(admin, ['not-an-order'])).toEqual([{ id: 'not-an-order', payment: null }]);
  });
});

describe('Order.payment batching', () => {
  const orderIds: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 10; i += 1) {
      const orderId = randomUUID();
      // Some orders have a failed attempt before their payment, some are invoices.
      if (i % 3 === 0) await declined(orderId);
      const input =
        i % 2 === 0
          ? cardInput(hospital.organizationId, vendor.organizationId)
          : invoiceInput(hospital.organizationId, vendor.organizationId);
      orderIds.push(await paidOrder({ ...input, orderId }));
    }
  });

  async function statementsFor(ids: string[], selection: string): Promise<number> {
    const job = await t.orders(null);
    t.statements.length = 0;
    const data = await job.query<Entities>(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id payment { ${selection} } } } }`,
      { r: orderRefs(ids) },
    );
    expect(data._entities.map((o) => o.id)).toEqual(ids);
    expect(data._entities.every((o) => o.payment !== null)).toBe(true);
    return t.statements.length;
  }

  test('1 and 10 orders in one _entities call: one statement each', async () => {
    const one = await statementsFor(orderIds.slice(0, 1), 'id status');
    const ten = await statementsFor(orderIds, 'id status');
    expect(one).toBe(1);
    expect(ten).toBe(one);
  });

  test('with refunds and invoices selected, 1 and 10 orders cost the same', async () => {
    const selection = 'id status refunds { id } invoice { number }';
    expect(await statementsFor(orderIds, selection)).toBe(
      await statementsFor(orderIds.slice(0, 1), selection),
    );
  });
});
