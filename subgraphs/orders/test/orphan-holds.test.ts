import { randomUUID } from 'node:crypto';
import {
  createOrdersTestEnvironment,
  newViewer,
  PLACE_ORDER,
  type FakeReservation,
  type OrderView,
  type OrdersTestEnvironment,
  type ScriptedDependencies,
} from './support';
import { orphanReason } from '../src/services/orphan-holds';
import { orderIdOfReference, reservationReference } from '../src/services/settlement-service';

// Holds that outlive their order, found by the recovery job in inventory's list of HELD holds
// and released; the holds of live orders and of placements in progress stay. Inventory is
// scripted in memory here; test/stock.test.ts runs the same against the real subgraphs.
let t: OrdersTestEnvironment;
let deps: ScriptedDependencies;

const hospital = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
const vendor = newViewer('VENDOR', 'VENDOR_ADMIN');
const site = randomUUID();
const oxygen = randomUUID();
const depot = randomUUID();
const GRACE_SECONDS = 120;

beforeAll(async () => {
  t = await createOrdersTestEnvironment({ PLACEMENT_GRACE_SECONDS: String(GRACE_SECONDS) });
  deps = t.dependencies;
  deps.depots.push({
    vendorId: vendor.organizationId,
    depotId: depot,
    deliveryFeeMinor: 500,
    distanceKm: 5,
    etaMinutes: 15,
    prices: { [oxygen]: 1000 },
  });
});
afterEach(() => deps.heal());
afterAll(() => t?.stop());

async function placed(): Promise<OrderView> {
  const result = await t.gql<{ placeOrder: OrderView }>({
    query: PLACE_ORDER,
    variables: {
      input: {
        siteId: site,
        items: [{ productId: oxygen, quantity: 1 }],
        payment: { method: 'CARD', cardToken: 'tok_visa' },
      },
      key: `orphan-${randomUUID()}`,
    },
    token: await t.as(hospital),
  });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.placeOrder;
}

/** A hold inventory has, made `ageSeconds` ago by whatever reference it was given. */
function holdIn(reference: string, ageSeconds = GRACE_SECONDS + 60): FakeReservation {
  const hold = deps.landHold({
    depotId: depot,
    productId: oxygen,
    quantity: 1,
    reference,
    holdSeconds: 604_800,
    organizationId: hospital.organizationId,
  });
  hold.createdAt = Date.now() - ageSeconds * 1000;
  return hold;
}

const ordersHold = (orderId: string) =>
  deps.reservationOf(hospital.organizationId, reservationReference(orderId, 1))!;

/** Ages an order's own hold past the grace period, as if it was made long ago. */
const aged = (hold: FakeReservation) => {
  hold.createdAt = Date.now() - (GRACE_SECONDS + 60) * 1000;
  return hold;
};

async function setStatus(orderId: string, status: string) {
  await t.sql(`UPDATE orders SET status = $2::"OrderStatus" WHERE id = $1::uuid RETURNING id`, [
    orderId,
    status,
  ]);
}

describe('the rule', () => {
  it('reads the order from the reference orders gives its holds, and nothing else', () => {
    const id = randomUUID();
    expect(orderIdOfReference(reservationReference(id, 3))).toBe(id);
    for (const other of [
      'x',
      `order:${id}`,
      `order:${id}:0`,
      `order:${id}:1:2`,
      `order:not-an-id:1`,
      ` order:${id}:1`,
    ])
      expect(orderIdOfReference(other)).toBeNull();
  });

  it('calls a hold orphaned without an order, or with a failed, cancelled or rejected one', () => {
    const reference = reservationReference(randomUUID(), 1);
    expect(orphanReason('x', undefined)).toBe('no order behind this hold');
    expect(orphanReason(reference, undefined)).toMatch(/does not exist/);
    for (const dead of ['FAILED', 'CANCELLED', 'REJECTED'] as const)
      expect(orphanReason(reference, dead)).toMatch(dead.toLowerCase());
    for (const live of ['PENDING', 'PLACED', 'CONFIRMED', 'DISPATCHED', 'DELIVERED'] as const)
      expect(orphanReason(reference, live)).toBeNull();
  });
});

describe('the recovery job', () => {
  it('releases holds that outlive their order, and leaves live orders, placements in progress and young holds alone', async () => {
    const [live, delivered, cancelled, rejected, failed, pending] = await Promise.all(
      Array.from({ length: 6 }, () => placed()),
    );
    await setStatus(delivered!.id, 'DELIVERED');
    await setStatus(cancelled!.id, 'CANCELLED');
    await setStatus(rejected!.id, 'REJECTED');
    await setStatus(failed!.id, 'FAILED');
    // A placement still running: its order is PENDING (in the database before any of its holds).
    await setStatus(pending!.id, 'PENDING');
    const keep = [live!, delivered!, pending!].map((o) => aged(ordersHold(o.id)));
    const orphans = [cancelled!, rejected!, failed!].map((o) => aged(ordersHold(o.id)));
    // No such order (its database lost it), and a hold that was never an order's.
    const neverOrdered = holdIn(reservationReference(randomUUID(), 1));
    const hoarded = holdIn('x');
    // Too young to judge: within the grace period nothing is read from inventory at all.
    const young = holdIn(reservationReference(randomUUID(), 1), 5);

    const report = await t.app.services.recovery.runOnce();

    for (const hold of [...orphans, neverOrdered, hoarded]) expect(hold.status).toBe('RELEASED');
    for (const hold of [...keep, young]) expect(hold.status).toBe('HELD');
    expect(report.orphanedHolds).toBe(5);
    expect(orphans.map((h) => h.reason)).toEqual([
      `order ${cancelled!.id} cancelled`,
      `order ${rejected!.id} rejected`,
      `order ${failed!.id} failed`,
    ]);
    expect(hoarded.reason).toBe('no order behind this hold');
    expect(deps.callsOf('heldReservations')[0]).toEqual([
      { olderThanSeconds: GRACE_SECONDS, after: null, first: 200 },
    ]);

    // Nothing left to do: a second run releases nothing.
    const releases = deps.callsOf('releaseReservation').length;
    expect((await t.app.services.recovery.runOnce()).orphanedHolds).toBe(0);
    expect(deps.callsOf('releaseReservation')).toHaveLength(releases);
  });

  it('releases every orphan, without an error, when two instances sweep at once', async () => {
    const orphans = Array.from({ length: 30 }, () => holdIn(reservationReference(randomUUID(), 1)));
    const reports = await Promise.all([t.app.services.recovery.runOnce(), t.app.services.recovery.runOnce()]);
    for (const hold of orphans) expect(hold.status).toBe('RELEASED');
    // Both may try one; inventory's release is idempotent, and each hold was HELD only once.
    expect(reports[0]!.orphanedHolds + reports[1]!.orphanedHolds).toBeGreaterThanOrEqual(30);
    expect(reports.every((r) => r.remaining === 0)).toBe(true);
  });

  it('pages through every held hold, more than one page of them', async () => {
    const live = await placed();
    const keep = aged(ordersHold(live.id));
    const orphans = Array.from({ length: 450 }, () => holdIn(`legacy-${randomUUID()}`));
    const report = await t.app.services.recovery.runOnce();
    expect(report.orphanedHolds).toBe(450);
    expect(orphans.filter((h) => h.status !== 'RELEASED')).toEqual([]);
    expect(keep.status).toBe('HELD');
  });

  it('tries again later when inventory is down, and the rest of recovery still runs', async () => {
    const orphan = holdIn(reservationReference(randomUUID(), 1));
    deps.fail('heldReservations', 'SERVICE_UNAVAILABLE', { times: 1 });
    const down = await t.app.services.recovery.runOnce();
    expect(down.remaining).toBeGreaterThanOrEqual(1);
    expect(orphan.status).toBe('HELD');

    deps.fail('releaseReservation', 'SERVICE_UNAVAILABLE', { times: 1 });
    const failing = await t.app.services.recovery.runOnce();
    expect(failing).toMatchObject({ orphanedHolds: 0, remaining: 1 });
    expect(orphan.status).toBe('HELD');

    expect((await t.app.services.recovery.runOnce()).orphanedHolds).toBe(1);
    expect(orphan.status).toBe('RELEASED');
  });
});
