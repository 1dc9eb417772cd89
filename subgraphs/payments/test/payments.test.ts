import { randomUUID } from 'node:crypto';
import {
  AUTHORIZE,
  CAPTURE,
  PAYMENT,
  REFUND,
  VOID,
  cardInput,
  createPaymentsTestEnvironment,
  newViewer,
  type PaymentsTestEnvironment,
} from './support';

interface PaymentResult {
  id: string;
  status: string;
  failureReason: string | null;
  providerReference: string | null;
  capturedAmount: { amountMinor: number };
  refundedAmount: { amountMinor: number };
  refunds: { amountMinor: number }[];
  invoice: { number: string; status: string; purchaseOrderNumber: string } | null;
}

let t: PaymentsTestEnvironment;
const hospital = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
const vendor = newViewer('VENDOR', 'VENDOR_ADMIN');
const admin = newViewer('PLATFORM', 'PLATFORM_ADMIN');
let hospitalToken: string;
let adminToken: string;

beforeAll(async () => {
  t = await createPaymentsTestEnvironment();
  hospitalToken = await t.as(hospital);
  adminToken = await t.as(admin);
});
afterAll(() => t.stop());

const count = async (table: string) =>
  (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

/** As the orders service placing an order for `hospital` (nobody else may authorise). */
async function authorize(
  input: Record<string, unknown> = cardInput(hospital.organizationId, vendor.organizationId),
  key = randomUUID(),
) {
  return t.authorize<{ authorizePayment: PaymentResult }>(hospital, input, key);
}

async function captured(amountMinor = 10000): Promise<PaymentResult> {
  const orders = await t.orders(hospital);
  const auth = await orders.mutate<{ authorizePayment: PaymentResult }>(AUTHORIZE, {
    input: cardInput(hospital.organizationId, vendor.organizationId, amountMinor),
    key: randomUUID(),
  });
  const done = await orders.mutate<{ capturePayment: PaymentResult }>(CAPTURE, {
    id: auth.authorizePayment.id,
    key: randomUUID(),
  });
  return done.capturePayment;
}

describe('authorize', () => {
  test('tok_visa is AUTHORIZED, with an outbox event', async () => {
    const result = await authorize();
    expect(result.errors).toBeUndefined();
    expect(result.data!.authorizePayment).toMatchObject({
      status: 'AUTHORIZED',
      providerReference: expect.stringMatching(/^ch_sim_/),
    });
    const events = await t.sql<{ type: string }>(
      `SELECT type FROM outbox_events WHERE data->>'paymentId' = $1`,
      [result.data!.authorizePayment.id],
    );
    expect(events.map((e) => e.type)).toEqual(['payment.authorized']);
  });

  test('tok_chargeDeclined is PAYMENT_DECLINED, records a FAILED payment and holds nothing', async () => {
    const held = t.provider.heldMinor();
    const result = await authorize(
      cardInput(hospital.organizationId, vendor.organizationId, 5000, 'tok_chargeDeclined'),
    );
    expect(result.errors![0]!.extensions).toMatchObject({
      code: 'PAYMENT_DECLINED',
      reason: 'card_declined',
    });
    const paymentId = result.errors![0]!.extensions!.paymentId as string;
    const [row] = await t.sql<{ status: string; failure_reason: string }>(
      `SELECT status::text, failure_reason FROM payments WHERE id = $1::uuid`,
      [paymentId],
    );
    expect(row).toEqual({ status: 'FAILED', failure_reason: 'card_declined' });
    expect(t.provider.heldMinor()).toBe(held);
    // Consumers (notifications) tell the payer from the payee by name, not by position.
    const [event] = await t.sql<{ data: Record<string, unknown> }>(
      `SELECT data FROM outbox_events WHERE type = 'payment.failed' AND data->>'paymentId' = $1`,
      [paymentId],
    );
    expect(event!.data).toMatchObject({
      paymentId,
      payerOrganizationId: hospital.organizationId,
      payeeOrganizationId: vendor.organizationId,
      failureReason: 'card_declined',
    });
  });

  test('tok_timeout: the deadline applies, SERVICE_UNAVAILABLE, FAILED provider_timeout, and recovery voids the hold', async () => {
    const started = Date.now();
    const input = cardInput(hospital.organizationId, vendor.organizationId, 7000, 'tok_timeout');
    const result = await authorize(input);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.errors![0]!.extensions!.code).toBe('SERVICE_UNAVAILABLE');
    const [row] = await t.sql<{ status: string; failure_reason: string; void_pending: boolean }>(
      `SELECT status::text, failure_reason, void_pending FROM payments WHERE order_id = $1::uuid`,
      [input.orderId],
    );
    expect(row).toEqual({ status: 'FAILED', failure_reason: 'provider_timeout', void_pending: true });
    expect(t.provider.heldMinor()).toBeGreaterThanOrEqual(7000);
    const before = t.provider.heldMinor();
    expect(await t.app.services.payments.recoverUnknownAuthorizations()).toBeGreaterThanOrEqual(1);
    expect(t.provider.heldMinor()).toBe(before - 7000);
  });

  test('an unknown token names input.cardToken and changes nothing', async () => {
    const before = await count('payments');
    const result = await authorize(
      cardInput(hospital.organizationId, vendor.organizationId, 100, 'tok_bogus'),
    );
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.cardToken' });
    expect(await count('payments')).toBe(before);
  });

  test('bad input names the field and changes nothing', async () => {
    const before = await count('payments');
    const input = {
      ...cardInput(hospital.organizationId, vendor.organizationId),
      amount: { amountMinor: -5, currency: 'USD' },
    };
    const result = await authorize(input);
    expect(result.errors![0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.amount.amountMinor',
    });
    const euro = await authorize({ ...input, amount: { amountMinor: 5, currency: 'EUR' } });
    expect(euro.errors![0]!.extensions).toMatchObject({ field: 'input.amount.currency' });
    expect(await count('payments')).toBe(before);
  });
});

describe('idempotency', () => {
  test('20 identical concurrent calls: one provider authorisation, one payment, one answer', async () => {
    const input = cardInput(hospital.organizationId, vendor.organizationId);
    const key = randomUUID();
    const calls = t.provider.authorizeCalls;
    const results = await Promise.all(Array.from({ length: 20 }, () => authorize(input, key)));
    const ids = new Set(results.map((r) => r.data?.authorizePayment.id));
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    expect(ids.size).toBe(1);
    expect(t.provider.authorizeCalls - calls).toBe(1);
    const [row] = await t.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM payments WHERE order_id = $1::uuid`,
      [input.orderId],
    );
    expect(row!.n).toBe(1);
  });

  test('the same key with a different input is IDEMPOTENCY_KEY_REUSED', async () => {
    const input = cardInput(hospital.organizationId, vendor.organizationId);
    const key = randomUUID();
    expect((await authorize(input, key)).errors).toBeUndefined();
    const again = await authorize({ ...input, amount: { amountMinor: 1, currency: 'USD' } }, key);
    expect(again.errors![0]!.extensions).toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      field: 'idempotencyKey',
    });
  });

  test('a declined payment replays the same decline for the same key', async () => {
    const input = cardInput(hospital.organizationId, vendor.organizationId, 100, 'tok_chargeDeclined');
    const key = randomUUID();
    const first = await authorize(input, key);
    const second = await authorize(input, key);
    const { stacktrace: _a, ...firstExtensions } = first.errors![0]!.extensions!;
    const { stacktrace: _b, ...secondExtensions } = second.errors![0]!.extensions!;
    expect(secondExtensions).toEqual(firstExtensions);
  });
  test('keys are kept at least 24 hours, then cleaned up', async () => {
    const key = randomUUID();
    await authorize(undefined, key);
    expect(await t.app.services.keys.deleteOlderThan(24)).toBe(0);
    await t.sql(`UPDATE idempotency_keys SET created_at = now() - interval '49 hours' WHERE key = $1`, [key]);
    expect(await t.app.services.keys.deleteOlderThan(48)).toBe(1);
  });

  test('20 identical concurrent refunds with one key make one refund', async () => {
    const payment = await captured(1000);
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.gql<{ refundPayment: PaymentResult }>({
          query: REFUND,
          variables: { id: payment.id, amount: { amountMinor: 300, currency: 'USD' }, key },
          token: adminToken,
        }),
      ),
    );
    expect(results.every((r) => r.data?.refundPayment.refundedAmount.amountMinor === 300)).toBe(true);
    const rows = await t.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM refunds WHERE payment_id = $1::uuid`,
      [payment.id],
    );
    expect(rows[0]!.n).toBe(1);
  });
});

describe('capture, void, refunds (as the orders service, signed)', () => {
  test('capture, then capture with the same key is the same answer; a new key is CONFLICT', async () => {
    const orders = await t.orders(hospital);
    const auth = await orders.mutate<{ authorizePayment: PaymentResult }>(AUTHORIZE, {
      input: cardInput(hospital.organizationId, vendor.organizationId, 4200),
      key: randomUUID(),
    });
    const key = randomUUID();
    const first = await orders.mutate<{ capturePayment: PaymentResult }>(CAPTURE, {
      id: auth.authorizePayment.id,
      key,
    });
    expect(first.capturePayment).toMatchObject({ status: 'CAPTURED', capturedAmount: { amountMinor: 4200 } });
    const again = await orders.mutate<{ capturePayment: PaymentResult }>(CAPTURE, {
      id: auth.authorizePayment.id,
      key,
    });
    expect(again.capturePayment.status).toBe('CAPTURED');
    await expect(
      orders.mutate(CAPTURE, { id: auth.authorizePayment.id, key: randomUUID() }),
    ).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });
  });

  test('a hospital cannot capture', async () => {
    const auth = await authorize();
    const result = await t.gql({
      query: CAPTURE,
      variables: { id: auth.data!.authorizePayment.id, key: randomUUID() },
      token: hospitalToken,
    });
    expect(result.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });

  test('void releases the hold', async () => {
    const auth = await authorize(cardInput(hospital.organizationId, vendor.organizationId, 3100));
    const held = t.provider.heldMinor();
    const orders = await t.orders(hospital);
    const voided = await orders.mutate<{ voidPayment: PaymentResult }>(VOID, {
      id: auth.data!.authorizePayment.id,
      key: randomUUID(),
    });
    expect(voided.voidPayment.status).toBe('VOIDED');
    expect(t.provider.heldMinor()).toBe(held - 3100);
  });

  test('partial then full refund; over-refund refused', async () => {
    const payment = await captured(10000);
    const token = await t.as(vendor);
    const refund = (amountMinor: number) =>
      t.gql<{ refundPayment: PaymentResult }>({
        query: REFUND,
        variables: { id: payment.id, amount: { amountMinor, currency: 'USD' }, key: randomUUID() },
        token,
      });
    expect((await refund(4000)).data!.refundPayment).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      refundedAmount: { amountMinor: 4000 },
    });
    const over = await refund(6001);
    expect(over.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', remainingMinor: 6000 });
    const full = await refund(6000);
    expect(full.data!.refundPayment).toMatchObject({
      status: 'REFUNDED',
      refundedAmount: { amountMinor: 10000 },
    });
    expect(full.data!.refundPayment.refunds).toHaveLength(2);
  });

  test('10 concurrent refunds of 30 against 100 captured: exactly 3 succeed', async () => {
    const payment = await captured(100);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.gql({
          query: REFUND,
          variables: { id: payment.id, amount: { amountMinor: 30, currency: 'USD' }, key: randomUUID() },
          token: adminToken,
        }),
      ),
    );
    expect(results.filter((r) => !r.errors).length).toBe(3);
    const after = await t.gql<{ payment: PaymentResult }>({
      query: PAYMENT,
      variables: { id: payment.id },
      token: adminToken,
    });
    expect(after.data!.payment).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      refundedAmount: { amountMinor: 90 },
    });
  });

  test('another vendor cannot refund', async () => {
    const payment = await captured(100);
    const result = await t.gql({
      query: REFUND,
      variables: { id: payment.id, amount: { amountMinor: 10, currency: 'USD' }, key: randomUUID() },
      token: await t.as(newViewer('VENDOR', 'VENDOR_ADMIN')),
    });
    expect(result.errors![0]!.extensions!.code).toBe('NOT_FOUND');
  });
});

describe('invoices and reading', () => {
  test('INVOICE opens an invoice with a readable number; listed for payer and payee; void voids it', async () => {
    const input = {
      ...cardInput(hospital.organizationId, vendor.organizationId, 2500),
      method: 'INVOICE',
      cardToken: undefined,
      purchaseOrderNumber: 'PO-77',
    };
    const result = await authorize(input);
    expect(result.errors).toBeUndefined();
    const payment = result.data!.authorizePayment;
    expect(payment.status).toBe('INVOICED');
    expect(payment.invoice).toMatchObject({
      number: expect.stringMatching(/^INV-\d{4}-\d{6}$/),
      status: 'OPEN',
      purchaseOrderNumber: 'PO-77',
    });
    const list = await t.gql<{ invoices: { totalCount: number; edges: { node: { number: string } }[] } }>({
      query: '{ invoices(status: OPEN) { totalCount edges { node { number payment { id } } } } }',
      token: await t.as(vendor),
    });
    expect(list.data!.invoices.edges.map((e) => e.node.number)).toContain(payment.invoice!.number);
    const orders = await t.orders(hospital);
    const voided = await orders.mutate<{ voidPayment: PaymentResult }>(VOID, {
      id: payment.id,
      key: randomUUID(),
    });
    expect(voided.voidPayment).toMatchObject({ status: 'VOIDED', invoice: { status: 'VOID' } });
  });

  test('another hospital reading the payment gets NOT_FOUND', async () => {
    const auth = await authorize();
    const other = await t.as(newViewer('HOSPITAL', 'HOSPITAL_ADMIN'));
    const result = await t.gql({
      query: PAYMENT,
      variables: { id: auth.data!.authorizePayment.id },
      token: other,
    });
    expect(result.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    const mine = await t.gql({
      query: PAYMENT,
      variables: { id: auth.data!.authorizePayment.id },
      token: hospitalToken,
    });
    expect(mine.errors).toBeUndefined();
  });

  test('_entities: 1 or 20 payments cost the same number of statements', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1) ids.push((await authorize()).data!.authorizePayment.id);
    const entities = async (some: string[]) => {
      t.statements.length = 0;
      const result = await t.gql({
        query:
          'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Payment { id refunds { id } invoice { number } } } }',
        variables: { r: some.map((id) => ({ __typename: 'Payment', id })) },
        token: adminToken,
      });
      expect(result.errors).toBeUndefined();
      return t.statements.length;
    };
    expect(await entities(ids)).toBe(await entities(ids.slice(0, 1)));
  });
});
