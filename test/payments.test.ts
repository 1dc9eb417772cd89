import { randomUUID } from 'node:crypto';
import { createTestEnvironment, type PlatformTestEnvironment } from './environment';
import { ok, platformAdmin, registerOrganization, type Actor } from './support/actors';

// Payments through the router: authorise, capture, refund, decline, idempotency and tenancy.
let t: PlatformTestEnvironment;
let hospital: Actor;
let vendor: Actor;
let adminToken: string;

const USD = (amountMinor: number) => ({ amountMinor, currency: 'USD' });
const PAYMENT_FIELDS =
  'id status method amount { amountMinor } capturedAmount { amountMinor } refundedAmount { amountMinor } providerReference failureReason';
const AUTHORIZE = `mutation ($input: AuthorizePaymentInput!, $key: String!) { authorizePayment(input: $input, idempotencyKey: $key) { ${PAYMENT_FIELDS} } }`;
const CAPTURE = `mutation ($id: ID!, $key: String!) { capturePayment(paymentId: $id, idempotencyKey: $key) { ${PAYMENT_FIELDS} } }`;
const REFUND = `mutation ($id: ID!, $amount: MoneyInput!, $key: String!) {
  refundPayment(paymentId: $id, amount: $amount, reason: "damaged cylinder", idempotencyKey: $key) { ${PAYMENT_FIELDS} }
}`;

interface PaymentResult {
  id: string;
  status: string;
  capturedAmount: { amountMinor: number };
  refundedAmount: { amountMinor: number };
  providerReference: string | null;
}

beforeAll(async () => {
  t = await createTestEnvironment();
  [hospital, vendor] = await Promise.all([
    registerOrganization(t.gql, 'HOSPITAL'),
    registerOrganization(t.gql, 'VENDOR'),
  ]);
  adminToken = await platformAdmin(t.gql);
});
afterAll(() => t?.stop());

const cardInput = (cardToken: string, amountMinor = 10_000) => ({
  orderId: randomUUID(),
  payerOrganizationId: hospital.organizationId,
  payeeOrganizationId: vendor.organizationId,
  amount: USD(amountMinor),
  method: 'CARD',
  cardToken,
});

describe('payments', () => {
  it('authorises, captures and refunds partially, never beyond what was captured', async () => {
    const authorized = await ok<{ authorizePayment: PaymentResult }>(t.gql, hospital.token, AUTHORIZE, {
      input: cardInput('tok_visa'),
      key: `auth-${randomUUID()}`,
    });
    expect(authorized.authorizePayment).toMatchObject({
      status: 'AUTHORIZED',
      providerReference: expect.any(String),
    });
    const id = authorized.authorizePayment.id;
    const captured = await ok<{ capturePayment: PaymentResult }>(t.gql, adminToken, CAPTURE, {
      id,
      key: `cap-${id}`,
    });
    expect(captured.capturePayment).toMatchObject({
      status: 'CAPTURED',
      capturedAmount: { amountMinor: 10_000 },
    });

    const partial = await ok<{ refundPayment: PaymentResult }>(t.gql, vendor.token, REFUND, {
      id,
      amount: USD(4_000),
      key: `ref-${randomUUID()}`,
    });
    expect(partial.refundPayment).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      refundedAmount: { amountMinor: 4_000 },
    });
    const tooMuch = await t.gql({
      query: REFUND,
      variables: { id, amount: USD(6_001), key: `ref-${randomUUID()}` },
      token: vendor.token,
    });
    // Over the refundable rest: a clash with the payment's state, and nothing is refunded.
    expect(tooMuch.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const rest = await ok<{ refundPayment: PaymentResult }>(t.gql, vendor.token, REFUND, {
      id,
      amount: USD(6_000),
      key: `ref-${randomUUID()}`,
    });
    expect(rest.refundPayment).toMatchObject({ status: 'REFUNDED', refundedAmount: { amountMinor: 10_000 } });
  });

  it('declines tok_chargeDeclined with PAYMENT_DECLINED', async () => {
    const declined = await t.gql({
      query: AUTHORIZE,
      variables: { input: cardInput('tok_chargeDeclined'), key: `auth-${randomUUID()}` },
      token: hospital.token,
    });
    expect(declined.errors?.[0]?.extensions?.code).toBe('PAYMENT_DECLINED');
  });

  it('returns the first result for 20 concurrent copies with one key, and refuses the key with other input', async () => {
    const key = `auth-${randomUUID()}`;
    const input = cardInput('tok_visa', 7_500);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.gql<{ authorizePayment: PaymentResult }>({
          query: AUTHORIZE,
          variables: { input, key },
          token: hospital.token,
        }),
      ),
    );
    const ids = new Set(results.map((r) => r.data?.authorizePayment.id));
    expect(results.every((r) => !r.errors)).toBe(true);
    expect(ids.size).toBe(1);
    const reused = await t.gql({
      query: AUTHORIZE,
      variables: { input: { ...input, amount: USD(1) }, key },
      token: hospital.token,
    });
    expect(reused.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('hides a payment from another hospital (NOT_FOUND)', async () => {
    const authorized = await ok<{ authorizePayment: PaymentResult }>(t.gql, hospital.token, AUTHORIZE, {
      input: cardInput('tok_visa'),
      key: `auth-${randomUUID()}`,
    });
    const stranger = await registerOrganization(t.gql, 'HOSPITAL');
    const read = await t.gql({
      query: 'query ($id: ID!) { payment(id: $id) { id } }',
      variables: { id: authorized.authorizePayment.id },
      token: stranger.token,
    });
    // Either an error or nothing, but never the payment, and never FORBIDDEN (that would tell it exists).
    expect((read.data as { payment?: unknown } | null | undefined)?.payment ?? null).toBeNull();
    if (read.errors) expect(read.errors[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
