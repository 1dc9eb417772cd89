import { randomUUID } from 'node:crypto';
import { createTestEnvironment, type PlatformTestEnvironment } from './environment';
import { login, ok, platformAdmin, type Actor } from './support/actors';
import { CONFIRM, DISPATCH, key, orderClient, until } from './support/orders';
import {
  USD,
  orderInput,
  productIds,
  setUpHospital,
  setUpVendor,
  type Hospital,
  type Vendor,
} from './support/ordering';

// Payments through the router: authorised only as a step of placeOrder (issue 11 item 2), then
// capture, refund, decline and tenancy; drivers see only their deliveries' payments (item 9).
let t: PlatformTestEnvironment;
let adminToken: string;
let vendor: Vendor;
let hospital: Hospital;
let otherHospital: Hospital;
let secondDriver: Actor;
let product: string | undefined;

const PAYMENT_FIELDS =
  'id status method amount { amountMinor } capturedAmount { amountMinor } refundedAmount { amountMinor } providerReference failureReason';
const AUTHORIZE = `mutation ($input: AuthorizePaymentInput!, $key: String!) { authorizePayment(input: $input, idempotencyKey: $key) { ${PAYMENT_FIELDS} } }`;
const CAPTURE = `mutation ($id: ID!, $key: String!) { capturePayment(paymentId: $id, idempotencyKey: $key) { ${PAYMENT_FIELDS} } }`;
const REFUND = `mutation ($id: ID!, $amount: MoneyInput!, $key: String!) {
  refundPayment(paymentId: $id, amount: $amount, reason: "damaged cylinder", idempotencyKey: $key) { ${PAYMENT_FIELDS} }
}`;
const PAYMENT = 'query ($id: ID!) { payment(id: $id) { id } }';
const INVOICES = '{ invoices(first: 50) { totalCount edges { node { number payment { id } } } } }';
const ORDER_PAYMENT = 'query ($id: ID!) { order(id: $id) { id payment { id } } }';

interface PaymentResult {
  id: string;
  status: string;
  capturedAmount: { amountMinor: number };
  refundedAmount: { amountMinor: number };
  providerReference: string | null;
}

const { placed, mutate } = orderClient(() => t);

beforeAll(async () => {
  t = await createTestEnvironment();
  adminToken = await platformAdmin(t.gql);
  [product] = await productIds(t.gql, adminToken, 1);
  vendor = await setUpVendor(t.gql, adminToken, { productIds: [product!], onHand: 100, unitPrice: 1_000 });
  [hospital, otherHospital] = await Promise.all([setUpHospital(t.gql), setUpHospital(t.gql)]);
  const email = `driver2.${vendor.admin.organizationId}@example.org`;
  const invited = await ok<{ inviteUser: { id: string } }>(
    t.gql,
    vendor.admin.token,
    'mutation ($input: InviteUserInput!) { inviteUser(input: $input) { id } }',
    { input: { email, name: 'Second Driver', role: 'DRIVER', password: 'a-driver-password-2' } },
  );
  secondDriver = {
    token: await login(t.gql, email, 'a-driver-password-2'),
    userId: invited.inviteUser.id,
    organizationId: vendor.admin.organizationId,
    email,
  };
}, 180_000);
afterAll(() => t?.stop());

const order = (who: Hospital, payment: Record<string, unknown> = { method: 'CARD', cardToken: 'tok_visa' }) =>
  placed(
    who,
    orderInput(who, [{ productId: product!, quantity: 1 }], {
      vendorId: vendor.admin.organizationId,
      payment,
    }),
  );

const paymentsRows = async () =>
  (await t.sql<{ n: number }>('payments', 'SELECT count(*)::int AS n FROM payments'))[0]!.n;
const invoiceRows = async () =>
  (await t.sql<{ n: number }>('payments', 'SELECT count(*)::int AS n FROM invoices'))[0]!.n;

describe('payments', () => {
  it('authorised by placeOrder, captured, refunded partially, never beyond what was captured', async () => {
    const placedOrder = await order(hospital);
    expect(placedOrder.payment).toMatchObject({ status: 'AUTHORIZED' });
    const id = placedOrder.payment!.id;
    const captured = await ok<{ capturePayment: PaymentResult }>(t.gql, adminToken, CAPTURE, {
      id,
      key: `cap-${id}`,
    });
    expect(captured.capturePayment).toMatchObject({ status: 'CAPTURED' });
    const total = captured.capturePayment.capturedAmount.amountMinor;
    const partial = await ok<{ refundPayment: PaymentResult }>(t.gql, vendor.admin.token, REFUND, {
      id,
      amount: USD(1_000),
      key: `ref-${randomUUID()}`,
    });
    expect(partial.refundPayment).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      refundedAmount: { amountMinor: 1_000 },
    });
    const tooMuch = await t.gql({
      query: REFUND,
      variables: { id, amount: USD(total - 1_000 + 1), key: `ref-${randomUUID()}` },
      token: vendor.admin.token,
    });
    expect(tooMuch.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const rest = await ok<{ refundPayment: PaymentResult }>(t.gql, vendor.admin.token, REFUND, {
      id,
      amount: USD(total - 1_000),
      key: `ref-${randomUUID()}`,
    });
    expect(rest.refundPayment).toMatchObject({ status: 'REFUNDED', refundedAmount: { amountMinor: total } });
  });

  it('declines tok_chargeDeclined at placement with PAYMENT_DECLINED', async () => {
    const result = await t.gql({
      query:
        'mutation ($input: PlaceOrderInput!, $key: String!) { placeOrder(input: $input, idempotencyKey: $key) { id } }',
      variables: {
        input: orderInput(hospital, [{ productId: product!, quantity: 1 }], {
          vendorId: vendor.admin.organizationId,
          payment: { method: 'CARD', cardToken: 'tok_chargeDeclined' },
        }),
        key: key('declined'),
      },
      token: hospital.admin.token,
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('PAYMENT_DECLINED');
  });

  it('hides a payment from another hospital (NOT_FOUND, never FORBIDDEN)', async () => {
    const mine = await order(hospital);
    const read = await t.gql({
      query: PAYMENT,
      variables: { id: mine.payment!.id },
      token: otherHospital.admin.token,
    });
    expect((read.data as { payment?: unknown } | null | undefined)?.payment ?? null).toBeNull();
    if (read.errors) expect(read.errors[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('forged money (issue 11 item 2): authorizePayment from a person', () => {
  it('a nonexistent order, another hospital’s order, its own order with a forged amount or payee: FORBIDDEN, nothing created', async () => {
    const theirs = await order(otherHospital, { method: 'INVOICE', purchaseOrderNumber: 'PO-9' });
    const mine = await order(hospital);
    const before = { payments: await paymentsRows(), invoices: await invoiceRows() };
    const forged = (orderId: string, payee: string, amountMinor: number, method = 'INVOICE') => ({
      orderId,
      payerOrganizationId: hospital.admin.organizationId,
      payeeOrganizationId: payee,
      amount: USD(amountMinor),
      method,
      ...(method === 'CARD' ? { cardToken: 'tok_visa' } : { purchaseOrderNumber: 'PO-1' }),
    });
    const attempts = [
      forged(randomUUID(), vendor.admin.organizationId, 99_999_999),
      forged(randomUUID(), vendor.admin.organizationId, 99_999_999, 'CARD'),
      forged(theirs.id, vendor.admin.organizationId, theirs.total.amountMinor),
      forged(mine.id, vendor.admin.organizationId, 1, 'CARD'),
      forged(mine.id, randomUUID(), mine.total.amountMinor, 'CARD'),
    ];
    for (const input of attempts) {
      const result = await t.gql({
        query: AUTHORIZE,
        variables: { input, key: key('forged') },
        token: hospital.admin.token,
      });
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const body = JSON.stringify(result);
      expect(body).not.toContain(theirs.payment!.id);
      expect(body).not.toContain(mine.payment!.id);
    }
    expect({ payments: await paymentsRows(), invoices: await invoiceRows() }).toEqual(before);
  });
});

describe('drivers (issue 11 item 9)', () => {
  it('see the payment and invoice of the order assigned to them, not another of the same vendor', async () => {
    const invoice = { method: 'INVOICE', purchaseOrderNumber: 'PO-D' };
    const a = await order(hospital, invoice);
    const b = await order(hospital, invoice);
    for (const o of [a, b])
      expect((await mutate(vendor.admin.token, CONFIRM, { id: o.id })).errors).toBeUndefined();
    // Before dispatch no driver sees either.
    for (const driver of [vendor.driver, secondDriver])
      expect(
        (await ok<{ invoices: { totalCount: number } }>(t.gql, driver.token, INVOICES)).invoices.totalCount,
      ).toBe(0);
    await mutate(vendor.admin.token, DISPATCH, { id: a.id, driver: vendor.driver.userId });
    await mutate(vendor.admin.token, DISPATCH, { id: b.id, driver: secondDriver.userId });

    // Payments learns the assignment from order.dispatched: wait until it has.
    const paymentOfOrder = async (token: string, id: string) =>
      (await ok<{ order: { payment: { id: string } | null } | null }>(t.gql, token, ORDER_PAYMENT, { id }))
        .order?.payment?.id ?? null;
    await until(
      async () => (await paymentOfOrder(vendor.driver.token, a.id)) === a.payment!.id,
      'driver 1 sees A',
    );
    await until(
      async () => (await paymentOfOrder(secondDriver.token, b.id)) === b.payment!.id,
      'driver 2 sees B',
    );

    const read = async (token: string, id: string) =>
      (await t.gql<{ payment: { id: string } | null }>({ query: PAYMENT, variables: { id }, token })).data
        ?.payment?.id ?? null;
    expect(await read(vendor.driver.token, a.payment!.id)).toBe(a.payment!.id);
    expect(await read(vendor.driver.token, b.payment!.id)).toBeNull();
    expect(await read(secondDriver.token, a.payment!.id)).toBeNull();
    const listed = async (token: string) =>
      (
        await ok<{ invoices: { totalCount: number; edges: { node: { payment: { id: string } } }[] } }>(
          t.gql,
          token,
          INVOICES,
        )
      ).invoices;
    expect((await listed(vendor.driver.token)).edges.map((e) => e.node.payment.id)).toEqual([a.payment!.id]);
    expect((await listed(secondDriver.token)).edges.map((e) => e.node.payment.id)).toEqual([b.payment!.id]);
    expect((await listed(vendor.admin.token)).totalCount).toBeGreaterThanOrEqual(2);
  });
});
