import { randomUUID } from 'node:crypto';
import {
  AUTHORIZE,
  CAPTURE,
  MARK_INVOICE_PAID,
  REFUND,
  VOID,
  createPaymentsTestEnvironment,
  invoiceInput,
  newViewer,
  type PaymentsTestEnvironment,
  type TestViewer,
} from './support';

interface InvoicedPayment {
  id: string;
  status: string;
  providerReference: string | null;
  capturedAmount: { amountMinor: number };
  refundedAmount: { amountMinor: number };
  invoice: { id: string; number: string; status: string } | null;
}
interface InvoiceResult {
  id: string;
  status: string;
  paidAt: string | null;
  payment: { id: string; status: string };
}

let t: PaymentsTestEnvironment;
const hospital = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
const vendorAdmin = newViewer('VENDOR', 'VENDOR_ADMIN');
const vendorStaff = newViewer('VENDOR', 'VENDOR_STAFF', vendorAdmin.organizationId);
const admin = newViewer('PLATFORM', 'PLATFORM_ADMIN');

beforeAll(async () => {
  t = await createPaymentsTestEnvironment();
});
afterAll(() => t.stop());

async function invoiced(amountMinor = 2500) {
  const orders = await t.orders(hospital);
  const data = await orders.mutate<{ authorizePayment: InvoicedPayment }>(AUTHORIZE, {
    input: invoiceInput(hospital.organizationId, vendorAdmin.organizationId, amountMinor),
    key: randomUUID(),
  });
  return { ...data.authorizePayment, invoice: data.authorizePayment.invoice! };
}

async function settle(mutation: 'capturePayment' | 'voidPayment', paymentId: string) {
  const orders = await t.orders(hospital);
  const document = mutation === 'capturePayment' ? CAPTURE : VOID;
  const data = await orders.mutate<Record<string, InvoicedPayment>>(document, {
    id: paymentId,
    key: randomUUID(),
  });
  return data[mutation]!;
}

async function markPaid(viewer: TestViewer, invoiceId: string) {
  return t.gql<{ markInvoicePaid: InvoiceResult }>({
    query: MARK_INVOICE_PAID,
    variables: { id: invoiceId },
    token: await t.as(viewer),
  });
}

const events = async (type: string, key: string, id: string) =>
  t.sql<{ data: Record<string, unknown>; organization_ids: string[] }>(
    `SELECT data, organization_ids::text[] FROM outbox_events WHERE type = $1 AND data->>'${key}' = $2`,
    [type, id],
  );

describe('INVOICE payments through the order saga', () => {
  test('capture at delivery: CAPTURED for the full amount, nothing at the provider, the invoice stays OPEN', async () => {
    const payment = await invoiced(2500);
    const held = t.provider.heldMinor();
    const captured = await settle('capturePayment', payment.id);
    expect(captured).toMatchObject({
      status: 'CAPTURED',
      providerReference: null,
      capturedAmount: { amountMinor: 2500 },
      invoice: { status: 'OPEN', number: payment.invoice.number },
    });
    expect(t.provider.heldMinor()).toBe(held);
    expect(await events('payment.captured', 'paymentId', payment.id)).toHaveLength(1);
    const late = await settle('voidPayment', payment.id).catch((e: unknown) => e);
    expect(late).toMatchObject({ extensions: { code: 'CONFLICT', status: 'CAPTURED' } });
  });

  test('void at reject or cancel: VOIDED and the invoice VOID; capture afterwards is CONFLICT', async () => {
    const payment = await invoiced();
    const voided = await settle('voidPayment', payment.id);
    expect(voided).toMatchObject({ status: 'VOIDED', invoice: { status: 'VOID' } });
    expect(await events('payment.voided', 'paymentId', payment.id)).toHaveLength(1);
    const late = await settle('capturePayment', payment.id).catch((e: unknown) => e);
    expect(late).toMatchObject({ extensions: { code: 'CONFLICT', status: 'VOIDED' } });
  });

  test('a captured invoice payment is refunded as a credit, without the provider', async () => {
    const payment = await invoiced(2000);
    await settle('capturePayment', payment.id);
    const data = await (
      await t.orders(hospital)
    ).mutate<{ refundPayment: InvoicedPayment }>(REFUND, {
      id: payment.id,
      amount: { amountMinor: 2000, currency: 'USD' },
      key: randomUUID(),
    });
    expect(data.refundPayment).toMatchObject({ status: 'REFUNDED', refundedAmount: { amountMinor: 2000 } });
  });
});

describe('markInvoicePaid', () => {
  test('the vendor admin marks a delivered order’s invoice PAID once; again returns it unchanged', async () => {
    const payment = await invoiced(3000);
    await settle('capturePayment', payment.id);
    const first = await markPaid(vendorAdmin, payment.invoice.id);
    expect(first.errors).toBeUndefined();
    expect(first.data!.markInvoicePaid).toMatchObject({
      id: payment.invoice.id,
      status: 'PAID',
      paidAt: expect.any(String),
      payment: { id: payment.id, status: 'CAPTURED' },
    });
    const again = await markPaid(vendorAdmin, payment.invoice.id);
    expect(again.data!.markInvoicePaid).toEqual(first.data!.markInvoicePaid);
    const paid = await events('invoice.paid', 'invoiceId', payment.invoice.id);
    expect(paid).toHaveLength(1);
    expect(paid[0]!.data).toMatchObject({
      paymentId: payment.id,
      number: payment.invoice.number,
      amountMinor: 3000,
      paidAt: first.data!.markInvoicePaid.paidAt,
    });
    expect(paid[0]!.organization_ids.sort()).toEqual(
      [hospital.organizationId, vendorAdmin.organizationId].sort(),
    );
  });

  test('10 concurrent calls: all answer PAID with one paidAt, one event', async () => {
    const payment = await invoiced();
    await settle('capturePayment', payment.id);
    const results = await Promise.all(Array.from({ length: 10 }, () => markPaid(admin, payment.invoice.id)));
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    expect(new Set(results.map((r) => r.data!.markInvoicePaid.paidAt)).size).toBe(1);
    expect(await events('invoice.paid', 'invoiceId', payment.invoice.id)).toHaveLength(1);
  });

  test('before delivery (payment INVOICED) is CONFLICT and the invoice stays OPEN, so a cancel can still void it', async () => {
    const payment = await invoiced();
    const early = await markPaid(vendorAdmin, payment.invoice.id);
    expect(early.errors![0]!.extensions).toMatchObject({
      code: 'CONFLICT',
      status: 'OPEN',
      paymentStatus: 'INVOICED',
    });
    expect(await settle('voidPayment', payment.id)).toMatchObject({ invoice: { status: 'VOID' } });
  });

  test('a VOID invoice is CONFLICT', async () => {
    const payment = await invoiced();
    await settle('voidPayment', payment.id);
    const result = await markPaid(admin, payment.invoice.id);
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', status: 'VOID' });
    expect(await events('invoice.paid', 'invoiceId', payment.invoice.id)).toHaveLength(0);
  });

  test('the paying hospital and vendor staff are FORBIDDEN; another vendor gets NOT_FOUND', async () => {
    const payment = await invoiced();
    await settle('capturePayment', payment.id);
    for (const viewer of [hospital, vendorStaff])
      expect((await markPaid(viewer, payment.invoice.id)).errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const stranger = await markPaid(newViewer('VENDOR', 'VENDOR_ADMIN'), payment.invoice.id);
    expect(stranger.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    const [row] = await t.sql<{ status: string }>(`SELECT status::text FROM invoices WHERE id = $1::uuid`, [
      payment.invoice.id,
    ]);
    expect(row!.status).toBe('OPEN');
  });

  test('an id that is not a uuid names invoiceId; an unknown one is NOT_FOUND', async () => {
    const bad = await markPaid(admin, 'INV-2026-000001');
    expect(bad.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'invoiceId' });
    const unknown = await markPaid(admin, randomUUID());
    expect(unknown.errors![0]!.extensions!.code).toBe('NOT_FOUND');
  });
});
