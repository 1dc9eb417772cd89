import { randomUUID } from 'node:crypto';
import {
  AUTHORIZE,
  cardInput,
  createPaymentsTestEnvironment,
  invoiceInput,
  newViewer,
  type PaymentsTestEnvironment,
  type TestViewer,
} from './support';

// Issue 11 item 2 (forged money): a hospital called authorizePayment itself, for an order that did
// not exist, any amount, payable to any vendor, and got a real invoice or a card hold; for another
// hospital's order the CONFLICT carried that order's paymentId. Now only the orders service, while
// it places an order, authorises payments.

let t: PaymentsTestEnvironment;
const hospital = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
const otherHospital = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
const vendor = newViewer('VENDOR', 'VENDOR_ADMIN');

beforeAll(async () => {
  t = await createPaymentsTestEnvironment();
});
afterAll(() => t.stop());

const count = async (table: string) =>
  (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

/** What a forged call could have changed: rows, invoices, and the provider's own record. */
async function snapshot() {
  return {
    payments: await count('payments'),
    invoices: await count('invoices'),
    keys: await count('idempotency_keys'),
    outbox: await count('outbox_events'),
    providerCalls: t.provider.authorizeCalls,
    providerCharges: t.provider.charges.size,
    held: t.provider.heldMinor(),
  };
}

async function direct(viewer: TestViewer, input: Record<string, unknown>) {
  return t.gql({ query: AUTHORIZE, variables: { input, key: randomUUID() }, token: await t.as(viewer) });
}

/** A real order of `payer`, paid through the orders service; its order and payment ids. */
async function realOrder(payer: TestViewer) {
  const input = cardInput(payer.organizationId, vendor.organizationId, 4_000);
  const result = await t.authorize<{ authorizePayment: { id: string } }>(payer, input);
  expect(result.errors).toBeUndefined();
  return { input, paymentId: result.data!.authorizePayment.id };
}

describe('authorizePayment is the orders service’s alone', () => {
  test('a hospital inventing an order, 999,999.99 payable to any vendor: FORBIDDEN, no invoice, no hold', async () => {
    const before = await snapshot();
    const invoice = invoiceInput(hospital.organizationId, randomUUID(), 99_999_999);
    const card = cardInput(hospital.organizationId, randomUUID(), 99_999_999);
    for (const input of [invoice, card]) {
      const result = await direct(hospital, input);
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(result.data?.authorizePayment ?? null).toBeNull();
    }
    expect(await snapshot()).toEqual(before);
    expect(
      await t.sql(`SELECT id FROM payments WHERE order_id IN ($1::uuid, $2::uuid)`, [
        invoice.orderId,
        card.orderId,
      ]),
    ).toEqual([]);
  });

  test('another hospital’s real order: FORBIDDEN, and the answer names none of its ids', async () => {
    const { input, paymentId } = await realOrder(otherHospital);
    const before = await snapshot();
    for (const forged of [
      { ...input, payerOrganizationId: hospital.organizationId },
      input,
      { ...input, method: 'INVOICE', cardToken: undefined, purchaseOrderNumber: 'PO-1' },
    ]) {
      const result = await direct(hospital, forged);
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
      expect(JSON.stringify(result)).not.toContain(paymentId);
    }
    expect(await snapshot()).toEqual(before);
  });

  test('its own real order with a forged amount or payee: FORBIDDEN, the payment unchanged', async () => {
    const { input, paymentId } = await realOrder(hospital);
    const before = await snapshot();
    for (const forged of [
      { ...input, amount: { amountMinor: 1, currency: 'USD' } },
      { ...input, payeeOrganizationId: randomUUID() },
    ]) {
      const result = await direct(hospital, forged);
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(JSON.stringify(result)).not.toContain(paymentId);
    }
    expect(await snapshot()).toEqual(before);
    const rows = await t.sql<{ amount_minor: number }>(
      `SELECT amount_minor FROM payments WHERE order_id = $1::uuid`,
      [input.orderId],
    );
    expect(rows).toEqual([{ amount_minor: 4_000 }]);
  });

  test('every role but the orders service is FORBIDDEN, before any input check (nothing to probe)', async () => {
    const before = await snapshot();
    const bad = { ...cardInput(hospital.organizationId, vendor.organizationId), orderId: 'nope' };
    for (const viewer of [
      hospital,
      newViewer('HOSPITAL', 'HOSPITAL_STAFF', hospital.organizationId),
      vendor,
      newViewer('VENDOR', 'DRIVER', vendor.organizationId),
      newViewer('PLATFORM', 'PLATFORM_ADMIN'),
    ]) {
      const result = await direct(viewer, bad);
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(
      (await t.gql({ query: AUTHORIZE, variables: { input: bad, key: 'k' } })).errors?.[0]?.extensions?.code,
    ).toMatch(/^(UNAUTHENTICATED|FORBIDDEN)$/);
    expect(await snapshot()).toEqual(before);
  });

  test('the orders service authorising an order that has a payment: CONFLICT with no payment id', async () => {
    const { input, paymentId } = await realOrder(hospital);
    const again = await t.authorize(hospital, input);
    const { stacktrace: _, ...extensions } = again.errors![0]!.extensions!;
    expect(extensions).toEqual({ code: 'CONFLICT' });
    expect(JSON.stringify(again)).not.toContain(paymentId);
  });
});
