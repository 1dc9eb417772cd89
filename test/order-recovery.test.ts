import { randomUUID } from 'node:crypto';
import { createTestEnvironment, type PlatformTestEnvironment } from './environment';
import { platformAdmin } from './support/actors';
import { CANCEL, codeOf, key, orderClient, until } from './support/orders';
import {
  orderInput,
  productIds,
  setUpHospital,
  setUpVendor,
  stockOf,
  type Hospital,
  type Vendor,
} from './support/ordering';
import { serviceClient } from './support/services';

// Faults in the middle of a placement: a declined card, payments down, orders killed. Every
// subgraph is a real process; the recovery job runs every 250 ms here.
let t: PlatformTestEnvironment;
let adminToken: string;
let products: string[];

const RECOVERY_ENV = {
  RECOVERY_INTERVAL_MS: '250',
  // A placement older than 3 s is presumed dead, and "nothing found" is final after it.
  PLACEMENT_GRACE_SECONDS: '3',
  // tok_timeout makes payments wait this long for the provider.
  PROVIDER_TIMEOUT_MS: '4000',
};

beforeAll(async () => {
  t = await createTestEnvironment(RECOVERY_ENV);
  adminToken = await platformAdmin(t.gql);
  products = await productIds(t.gql, adminToken, 2);
}, 120_000);
afterAll(() => t?.stop());

const { place, placed, read, sql, mutate } = orderClient(() => t);

describe('failures leave nothing half-done', () => {
  let vendor: Vendor;
  let hospital: Hospital;
  let product: string;

  beforeAll(async () => {
    product = products[1]!;
    vendor = await setUpVendor(t.gql, adminToken, { productIds: [product], onHand: 30, unitPrice: 4_000 });
    hospital = await setUpHospital(t.gql);
  });

  const input = (cardToken: string) =>
    orderInput(hospital, [{ productId: product, quantity: 4 }], {
      vendorId: vendor.admin.organizationId,
      payment: { method: 'CARD', cardToken },
    });

  async function leftovers(orderId: string) {
    const held = await sql(
      'inventory',
      "SELECT id FROM reservations WHERE reference LIKE $1 AND status = 'HELD'",
      [`order:${orderId}:%`],
    );
    const live = await sql(
      'payments',
      "SELECT id FROM payments WHERE order_id = $1 AND status IN ('AUTHORIZED', 'INVOICED', 'CAPTURED')",
      [orderId],
    );
    return { held: held.length, livePayments: live.length };
  }

  const failedOrder = async () => {
    const [row] = await sql<{
      id: string;
      status: string;
      compensation_pending: boolean;
      failure_code: string;
    }>(
      'orders',
      'SELECT id, status, compensation_pending, failure_code FROM orders WHERE hospital_organization_id = $1 ORDER BY created_at DESC LIMIT 1',
      [hospital.admin.organizationId],
    );
    return row!;
  };

  it('a declined card: PAYMENT_DECLINED, stock back where it was, no live order', async () => {
    const before = await stockOf(t.gql, vendor, product);
    const result = await place(hospital, input('tok_chargeDeclined'));
    expect(codeOf(result)).toBe('PAYMENT_DECLINED');
    expect(await stockOf(t.gql, vendor, product)).toEqual(before);
    const row = await failedOrder();
    expect(row).toMatchObject({
      status: 'FAILED',
      compensation_pending: false,
      failure_code: 'PAYMENT_DECLINED',
    });
    expect(await leftovers(row.id)).toEqual({ held: 0, livePayments: 0 });
    expect(await read(hospital.admin.token, row.id)).toBeNull();
  });

  it('payments stopped mid-placement: SERVICE_UNAVAILABLE, and after recovery no hold or payment is left', async () => {
    const before = await stockOf(t.gql, vendor, product);
    await t.stopSubgraph('payments');
    const sameKey = key('retry');
    try {
      const result = await place(hospital, input('tok_visa'), sameKey);
      expect(codeOf(result)).toBe('SERVICE_UNAVAILABLE');
      expect(result.errors?.[0]?.extensions?.service).toBe('payments');
      expect(await stockOf(t.gql, vendor, product)).toEqual(before);
      // Whether payments saw the request is unknown until it is back: recovery must look.
      expect(await failedOrder()).toMatchObject({ status: 'FAILED', compensation_pending: true });
    } finally {
      await t.startSubgraph('payments', RECOVERY_ENV);
    }
    const row = await failedOrder();
    await until(async () => !(await failedOrder()).compensation_pending, 'recovery to finish');
    expect(await leftovers(row.id)).toEqual({ held: 0, livePayments: 0 });
    // The key was freed (the failure was transient): the same request now goes through.
    const retried = await place(hospital, input('tok_visa'), sameKey);
    expect(retried.data?.placeOrder.status).toBe('PLACED');
    expect(retried.data?.placeOrder.id).not.toBe(row.id);
  });

  it('orders crashes mid-placement: recovery releases the holds, no payment is left, the key is freed', async () => {
    const before = await stockOf(t.gql, vendor, product);
    // tok_timeout keeps payments (and so the placement) busy for 4 s: time to kill orders.
    const crashKey = key('crash');
    const pending = place(hospital, input('tok_timeout'), crashKey);
    await until(async () => {
      const rows = await sql(
        'orders',
        "SELECT o.id FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.status = 'PENDING' AND o.idempotency_key = $1 AND i.reservation_id IS NOT NULL",
        [crashKey],
      );
      return rows.length > 0;
    }, 'the placement to hold stock');
    await t.stopSubgraph('orders', 'SIGKILL');
    const result = await pending;
    expect(result.errors).toBeDefined();
    expect((await stockOf(t.gql, vendor, product)).reserved).toBe(before.reserved + 4);

    await t.startSubgraph('orders', RECOVERY_ENV);
    const row = await failedOrder();
    await until(async () => {
      const latest = await failedOrder();
      return latest.status === 'FAILED' && !latest.compensation_pending;
    }, 'recovery of the interrupted placement');
    expect((await failedOrder()).failure_code).toBe('INTERRUPTED');
    // payments' own recovery voids whatever the provider held for the timed-out authorisation.
    await until(async () => (await leftovers(row.id)).livePayments === 0, 'no live payment');
    expect(await leftovers(row.id)).toEqual({ held: 0, livePayments: 0 });
    expect(await stockOf(t.gql, vendor, product)).toEqual(before);
    const keys = await sql('orders', 'SELECT key FROM idempotency_keys WHERE key = $1', [crashKey]);
    expect(keys).toHaveLength(0);
  });
  it('releases holds that outlive their order (cancelled, none, never an order), and keeps a live order’s', async () => {
    const before = await stockOf(t.gql, vendor, product);
    const live = await placed(hospital, input('tok_visa'));
    const cancelled = await placed(hospital, input('tok_visa'));
    expect((await mutate(hospital.admin.token, CANCEL, { id: cancelled.id })).data?.cancelOrder?.status).toBe(
      'CANCELLED',
    );
    // Holds that the saga and settlement never knew of: one landing after its order was
    // cancelled, one whose order does not exist, one made before holds were only for orders.
    const orders = serviceClient(t.subgraphs.inventory!.url, 'orders');
    const references = [`order:${cancelled.id}:9`, `order:${randomUUID()}:1`, `hoard-${randomUUID()}`];
    for (const reference of references) {
      const made = await orders({
        query: 'mutation ($input: ReserveStockInput!) { reserveStock(input: $input) { id } }',
        variables: {
          input: {
            depotId: vendor.depotId,
            productId: product,
            quantity: 1,
            reference,
            holdSeconds: 86_400,
            organizationId: hospital.admin.organizationId,
          },
        },
      });
      expect(made.errors).toBeUndefined();
    }
    expect((await stockOf(t.gql, vendor, product)).reserved).toBe(before.reserved + 4 + 3);

    const statusOf = async (reference: string) =>
      (
        await sql<{ status: string; closed_reason: string | null }>(
          'inventory',
          'SELECT status, closed_reason FROM reservations WHERE reference = $1',
          [reference],
        )
      )[0]!;
    await until(
      async () => (await Promise.all(references.map(statusOf))).every((r) => r.status === 'RELEASED'),
      'the orphaned holds to be released',
    );
    expect((await Promise.all(references.map(statusOf))).map((r) => r.closed_reason)).toEqual([
      `order ${cancelled.id} cancelled`,
      expect.stringMatching(/does not exist/),
      'no order behind this hold',
    ]);
    expect(await statusOf(`order:${live.id}:1`)).toMatchObject({ status: 'HELD' });
    expect(await stockOf(t.gql, vendor, product)).toEqual({
      onHand: before.onHand,
      reserved: before.reserved + 4,
      available: before.available - 4,
    });
  });
});
