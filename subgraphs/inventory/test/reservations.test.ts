import { randomUUID } from 'node:crypto';
import type { GraphQLClient } from '@flow/testing';
import {
  createSignedClient,
  createTestEnvironment,
  ROUTER_SECRET,
  type InventoryTestEnvironment,
  type Actor,
} from './support/environment';
import {
  COMMIT,
  HELD_RESERVATIONS,
  RELEASE,
  RESERVATION,
  RESERVE,
  SET_STOCK,
  STOCK_LEVELS,
  type ReservationResult,
} from './support/queries';

// Holds are steps of the orders service's placement saga: it reserves (for the ordering
// hospital, named in the input), commits and releases, signed as itself; people are refused.

let t: InventoryTestEnvironment;
let orders: GraphQLClient;
let vendor: Actor;
let otherVendor: Actor;
let hospital: Actor;
let otherHospital: Actor;
let admin: Actor;
let depotId: string;
let productIds: string[];

interface StockRow {
  on_hand: number;
  reserved: number;
}

const stockOf = async (productId: string) =>
  (
    await t.sql<StockRow>(
      'SELECT on_hand, reserved FROM stock_levels WHERE depot_id = $1 AND product_id = $2',
      [depotId, productId],
    )
  )[0]!;

/** A product of the catalog with exactly `onHand` at the depot and nothing reserved. */
let nextProduct = 0;
async function productWithStock(onHand: number, reorderLevel = 0): Promise<string> {
  // Every product used at this depot: go on at a new depot of the same vendor.
  if (nextProduct === productIds.length) {
    depotId = await t.createDepot(vendor);
    nextProduct = 0;
  }
  const productId = productIds[nextProduct++]!;
  const result = await t.gql({
    query: SET_STOCK,
    variables: { input: { depotId, productId, onHand, reorderLevel } },
    token: vendor.token,
  });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return productId;
}

/** The orders service reserving for `hospital`'s order, with no user (as its saga's retries do). */
const reserve = (forHospital: Actor, input: Record<string, unknown>) =>
  orders<{ reserveStock: ReservationResult }>({
    query: RESERVE,
    variables: {
      input: {
        depotId,
        quantity: 1,
        reference: randomUUID(),
        organizationId: forHospital.organizationId,
        ...input,
      },
    },
  });
/** A person's own reserveStock call, which is refused. */
const reserveAs = (actor: Actor, input: Record<string, unknown>) =>
  t.gql<{ reserveStock: ReservationResult }>({
    query: RESERVE,
    variables: { input: { depotId, quantity: 1, reference: randomUUID(), ...input } },
    token: actor.token,
  });

/** Commit and release as the orders service, or as the person given. */
const commit = (id: string, actor?: Actor) =>
  (actor ? t.gql : orders)<{ commitReservation: ReservationResult }>({
    query: COMMIT,
    variables: { id },
    token: actor?.token,
  });
const release = (id: string, reason?: string, actor?: Actor) =>
  (actor ? t.gql : orders)<{ releaseReservation: ReservationResult }>({
    query: RELEASE,
    variables: { id, reason },
    token: actor?.token,
  });

async function held(forHospital: Actor, productId: string, quantity = 1, holdSeconds = 600) {
  const result = await reserve(forHospital, { productId, quantity, holdSeconds });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.reserveStock;
}

beforeAll(async () => {
  t = await createTestEnvironment();
  orders = createSignedClient(t.app.url, ROUTER_SECRET, 'orders');
  vendor = await t.actor('VENDOR_ADMIN');
  otherVendor = await t.actor('VENDOR_STAFF');
  hospital = await t.actor('HOSPITAL_STAFF');
  otherHospital = await t.actor('HOSPITAL_ADMIN');
  admin = await t.actor('PLATFORM_ADMIN');
  depotId = await t.createDepot(vendor);
  productIds = (await t.sql<{ id: string }>('SELECT id FROM products ORDER BY sku')).map((p) => p.id);
});
afterAll(() => t?.stop());

describe('reserveStock never oversells', () => {
  it('lets exactly 10 of 100 concurrent reservations through for 10 available units', async () => {
    const productId = await productWithStock(10, 3);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => reserve(hospital, { productId, reference: `line-${i}` })),
    );
    const succeeded = results.filter((r) => r.data?.reserveStock.status === 'HELD');
    const refused = results.filter((r) => r.errors?.[0]?.extensions?.code === 'OUT_OF_STOCK');
    expect(succeeded).toHaveLength(10);
    expect(refused).toHaveLength(90);
    for (const r of refused) expect(r.errors![0]!.extensions).toMatchObject({ available: 0, requested: 1 });

    expect(await stockOf(productId)).toEqual({ on_hand: 10, reserved: 10 });
    const [check] = await t.sql<{ negative: number; reservations: number; movements: number }>(
      `SELECT (SELECT count(*)::int FROM stock_levels WHERE on_hand - reserved < 0) AS negative,
              (SELECT count(*)::int FROM reservations WHERE product_id = $1 AND status = 'HELD') AS reservations,
              (SELECT count(*)::int FROM stock_movements WHERE product_id = $1 AND kind = 'RESERVE') AS movements`,
      [productId],
    );
    expect(check).toEqual({ negative: 0, reservations: 10, movements: 10 });
    const events = await t.sql<{ type: string; n: number }>(
      `SELECT type, count(*)::int AS n FROM outbox_events WHERE data->>'productId' = $1 GROUP BY type ORDER BY type`,
      [productId],
    );
    expect(events).toEqual([
      { type: 'stock.low', n: 1 },
      { type: 'stock.reserved', n: 10 },
    ]);
  });

  it('is backed by the database: a write that would oversell violates a check constraint', async () => {
    await expect(
      t.sql('UPDATE stock_levels SET reserved = on_hand + 1 WHERE depot_id = $1', [depotId]),
    ).rejects.toThrow(/violates check constraint "stock_levels_quantities_check"/);
    await expect(
      t.sql('UPDATE stock_levels SET on_hand = -1 WHERE depot_id = $1', [depotId]),
    ).rejects.toThrow(/check constraint/);
  });

  it('answers OUT_OF_STOCK with what is available, and holds nothing', async () => {
    const productId = await productWithStock(4);
    const result = await reserve(hospital, { productId, quantity: 5 });
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'OUT_OF_STOCK',
      available: 4,
      requested: 5,
    });
    expect(await stockOf(productId)).toEqual({ on_hand: 4, reserved: 0 });
    const unstocked = await reserve(hospital, { productId: productIds.at(-1), quantity: 1 });
    expect(unstocked.errors?.[0]?.extensions).toMatchObject({ code: 'OUT_OF_STOCK', available: 0 });
    expect(await t.sql('SELECT id FROM reservations WHERE product_id = $1', [productId])).toEqual([]);
  });
});

describe('idempotency per reference', () => {
  it('returns the same reservation for the same reference, and CONFLICT for a different request', async () => {
    const productId = await productWithStock(10);
    const input = { productId, quantity: 2, reference: 'order-1/line-1' };
    const first = await reserve(hospital, input);
    const again = await reserve(hospital, input);
    expect(again.data!.reserveStock).toEqual(first.data!.reserveStock);
    expect(await stockOf(productId)).toEqual({ on_hand: 10, reserved: 2 });

    const different = await reserve(hospital, { ...input, quantity: 3 });
    expect(different.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.reference' });
    // Another organization has references of its own.
    const elsewhere = await reserve(otherHospital, input);
    expect(elsewhere.data!.reserveStock.id).not.toBe(first.data!.reserveStock.id);
    expect(await stockOf(productId)).toEqual({ on_hand: 10, reserved: 4 });
  });

  it('makes one reservation of 20 concurrent calls with the same reference', async () => {
    const productId = await productWithStock(10);
    const input = { productId, quantity: 3, reference: `retry-storm-${randomUUID()}` };
    const results = await Promise.all(Array.from({ length: 20 }, () => reserve(hospital, input)));
    expect(results.filter((r) => r.errors)).toEqual([]);
    expect(new Set(results.map((r) => r.data!.reserveStock.id)).size).toBe(1);
    expect(await stockOf(productId)).toEqual({ on_hand: 10, reserved: 3 });
    expect(await t.sql('SELECT id FROM reservations WHERE reference = $1', [input.reference])).toHaveLength(
      1,
    );
  });
});

describe('commit and release', () => {
  it('commits a hold: on hand and reserved both drop; committing again returns it; releasing it is CONFLICT', async () => {
    const productId = await productWithStock(10);
    const hold = await held(hospital, productId, 4);
    const committed = await commit(hold.id);
    expect(committed.data!.commitReservation).toMatchObject({ id: hold.id, status: 'COMMITTED' });
    expect(await stockOf(productId)).toEqual({ on_hand: 6, reserved: 0 });
    expect((await commit(hold.id)).data!.commitReservation.status).toBe('COMMITTED');
    expect(await stockOf(productId)).toEqual({ on_hand: 6, reserved: 0 });
    const released = await release(hold.id);
    expect(released.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', status: 'COMMITTED' });
    const kinds = await t.sql<{ kind: string; on_hand_delta: number; reserved_delta: number }>(
      'SELECT kind, on_hand_delta, reserved_delta FROM stock_movements WHERE reservation_id = $1 ORDER BY created_at',
      [hold.id],
    );
    expect(kinds).toEqual([
      { kind: 'RESERVE', on_hand_delta: 0, reserved_delta: 4 },
      { kind: 'COMMIT', on_hand_delta: -4, reserved_delta: -4 },
    ]);
  });

  it('releases a hold: reserved drops; releasing again returns it; committing it is CONFLICT', async () => {
    const productId = await productWithStock(10);
    const hold = await held(hospital, productId, 4);
    const released = await release(hold.id, 'order cancelled');
    expect(released.data!.releaseReservation.status).toBe('RELEASED');
    expect(await stockOf(productId)).toEqual({ on_hand: 10, reserved: 0 });
    expect((await release(hold.id)).data!.releaseReservation.status).toBe('RELEASED');
    expect((await commit(hold.id)).errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      status: 'RELEASED',
    });
    expect(await stockOf(productId)).toEqual({ on_hand: 10, reserved: 0 });
    const [event] = await t.sql<{ organization_ids: string[]; data: { reason: string } }>(
      "SELECT organization_ids, data FROM outbox_events WHERE type = 'stock.released' AND data->>'reservationId' = $1",
      [hold.id],
    );
    expect(event).toMatchObject({
      organization_ids: [vendor.organizationId, hospital.organizationId],
      data: { reason: 'order cancelled' },
    });
  });

  it('applies exactly one of a concurrent commit and release of the same hold', async () => {
    const productId = await productWithStock(20);
    const holds = await Promise.all(Array.from({ length: 10 }, () => held(hospital, productId, 2)));
    const outcomes = await Promise.all(
      holds.map(async (hold) => {
        const [c, r] = await Promise.all([commit(hold.id), release(hold.id)]);
        return {
          committed: c.data?.commitReservation.status === 'COMMITTED',
          released: r.data?.releaseReservation.status === 'RELEASED',
          conflicts: [c, r].filter((x) => x.errors?.[0]?.extensions?.code === 'CONFLICT').length,
        };
      }),
    );
    for (const outcome of outcomes) {
      expect(Number(outcome.committed) + Number(outcome.released)).toBe(1);
      expect(outcome.conflicts).toBe(1);
    }
    const committed = outcomes.filter((o) => o.committed).length;
    expect(await stockOf(productId)).toEqual({ on_hand: 20 - 2 * committed, reserved: 0 });
    const [closing] = await t.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM stock_movements WHERE product_id = $1 AND kind IN ('COMMIT', 'RELEASE')",
      [productId],
    );
    expect(closing!.n).toBe(10);
  });
});

describe('expiry', () => {
  it('releases expired holds, once, and leaves live ones alone', async () => {
    const productId = await productWithStock(10);
    const expiring = await held(hospital, productId, 3, 1);
    const live = await held(hospital, productId, 2, 600);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await stockOf(productId)).toEqual({ on_hand: 10, reserved: 5 });

    expect(await t.app.services.expireReservations()).toBe(1);
    expect(await t.app.services.expireReservations()).toBe(0);
    expect(await stockOf(productId)).toEqual({ on_hand: 10, reserved: 2 });
    const status = async (id: string) =>
      (
        await orders<{ reservation: ReservationResult }>({
          query: RESERVATION,
          variables: { id },
        })
      ).data!.reservation.status;
    expect(await status(expiring.id)).toBe('EXPIRED');
    expect(await status(live.id)).toBe('HELD');
    const [movement] = await t.sql(
      'SELECT kind, reserved_delta, actor_id FROM stock_movements WHERE reservation_id = $1 AND kind = $2',
      [expiring.id, 'EXPIRE'],
    );
    expect(movement).toEqual({ kind: 'EXPIRE', reserved_delta: -3, actor_id: null });

    // An expired hold cannot be committed; releasing it is already done.
    expect((await commit(expiring.id)).errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      status: 'EXPIRED',
    });
    expect((await release(expiring.id)).data!.releaseReservation.status).toBe('EXPIRED');
  });

  it('refuses to commit a hold past its expiry even before the job has run', async () => {
    const productId = await productWithStock(10);
    const hold = await held(hospital, productId, 1, 1);
    await t.sql("UPDATE reservations SET expires_at = now() - interval '1 second' WHERE id = $1", [hold.id]);
    expect((await commit(hold.id)).errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      status: 'EXPIRED',
    });
    expect(await stockOf(productId)).toEqual({ on_hand: 10, reserved: 1 });
    await t.app.services.expireReservations();
    expect(await stockOf(productId)).toEqual({ on_hand: 10, reserved: 0 });
  });

  it('lets several sweepers run at once without releasing anything twice', async () => {
    const productId = await productWithStock(100);
    const holds = await Promise.all(Array.from({ length: 40 }, () => held(hospital, productId, 2, 600)));
    await t.sql(
      "UPDATE reservations SET expires_at = now() - interval '1 second' WHERE id = ANY($1::uuid[])",
      [holds.map((h) => h.id)],
    );
    const counts = await Promise.all(Array.from({ length: 4 }, () => t.app.services.expireReservations()));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(40);
    expect(await stockOf(productId)).toEqual({ on_hand: 100, reserved: 0 });
    const [expired] = await t.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM stock_movements WHERE product_id = $1 AND kind = 'EXPIRE'",
      [productId],
    );
    expect(expired!.n).toBe(40);
  });
});

const snapshot = async () => ({
  levels: await t.sql('SELECT * FROM stock_levels ORDER BY depot_id, product_id'),
  reservations: await t.sql('SELECT * FROM reservations ORDER BY id'),
  movements: await t.sql('SELECT count(*)::int AS n FROM stock_movements'),
  events: await t.sql('SELECT count(*)::int AS n FROM outbox_events'),
});

const availableOf = async (actor: Actor, productId: string) => {
  const result = await t.gql<{ stockLevels: { available: number }[] }>({
    query: STOCK_LEVELS,
    variables: { productId, depotIds: [depotId] },
    token: actor.token,
  });
  return result.data!.stockLevels[0]!.available;
};

describe('stock is held only for orders', () => {
  it('refuses the issue’s hoard: a hospital holding all stock for a day is FORBIDDEN and changes nothing', async () => {
    const productId = await productWithStock(25);
    const before = await snapshot();
    const hoard = await reserveAs(hospital, { productId, quantity: 25, reference: 'x', holdSeconds: 86_400 });
    expect(hoard.data).toBeNull();
    expect(hoard.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/only for orders.*placeOrder/),
      extensions: { code: 'FORBIDDEN' },
    });
    expect(await snapshot()).toEqual(before);
    // Another hospital still sees all of it on offer.
    expect(await availableOf(otherHospital, productId)).toBe(25);
  });

  it('lets nobody but the orders service reserve: hospitals, vendors and platform admins are FORBIDDEN', async () => {
    const productId = await productWithStock(10);
    const before = await snapshot();
    for (const actor of [hospital, otherHospital, vendor, otherVendor, admin]) {
      for (const input of [
        { productId },
        { productId, organizationId: actor.organizationId },
        { productId, organizationId: otherHospital.organizationId, holdSeconds: 604_800 },
      ]) {
        const result = await reserveAs(actor, input);
        expect({ role: actor.role, code: result.errors?.[0]?.extensions?.code }).toEqual({
          role: actor.role,
          code: 'FORBIDDEN',
        });
      }
    }
    const anonymous = await t.gql({
      query: RESERVE,
      variables: { input: { depotId, productId, quantity: 1, reference: 'anonymous' } },
    });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await snapshot()).toEqual(before);
  });

  it('lets only the orders service commit; FORBIDDEN to the parties and platform admins', async () => {
    const productId = await productWithStock(10);
    const hold = await held(hospital, productId);
    const before = await snapshot();
    for (const actor of [hospital, vendor, admin, otherHospital]) {
      const result = await commit(hold.id, actor);
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(result.errors?.[0]?.message).toMatch(/only the orders service/i);
    }
    expect(await snapshot()).toEqual(before);
    expect((await commit(hold.id)).data!.commitReservation.status).toBe('COMMITTED');
    expect((await commit(randomUUID())).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('lets platform admins release a hold with a reason, as operators; FORBIDDEN to the parties', async () => {
    const productId = await productWithStock(10);
    const hold = await held(hospital, productId, 3);
    const before = await snapshot();
    for (const actor of [hospital, vendor, otherHospital, otherVendor]) {
      expect((await release(hold.id, 'mine', actor)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const unexplained = await release(hold.id, '  ', admin);
    expect(unexplained.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect(await snapshot()).toEqual(before);

    const released = await release(hold.id, 'stuck after an outage', admin);
    expect(released.data!.releaseReservation.status).toBe('RELEASED');
    expect(await stockOf(productId)).toEqual({ on_hand: 10, reserved: 0 });
    const [movement] = await t.sql(
      "SELECT reason, actor_id FROM stock_movements WHERE reservation_id = $1 AND kind = 'RELEASE'",
      [hold.id],
    );
    expect(movement).toEqual({ reason: 'stuck after an outage', actor_id: admin.userId });
  });

  it('still shows a hold to its parties and platform admins, not to others', async () => {
    const productId = await productWithStock(10);
    const hold = await held(hospital, productId);
    const seenBy = async (actor: Actor) =>
      (
        await t.gql<{ reservation: ReservationResult | null }>({
          query: RESERVATION,
          variables: { id: hold.id },
          token: actor.token,
        })
      ).data!.reservation?.id ?? null;
    for (const party of [hospital, vendor, admin]) expect(await seenBy(party)).toBe(hold.id);
    for (const stranger of [otherHospital, otherVendor]) expect(await seenBy(stranger)).toBeNull();
  });

  it('names the bad field and changes nothing', async () => {
    const productId = await productWithStock(10);
    const before = await snapshot();
    for (const [input, field] of [
      [{ productId, quantity: 0 }, 'input.quantity'],
      [{ productId, quantity: -2 }, 'input.quantity'],
      [{ productId, reference: '   ' }, 'input.reference'],
      [{ productId, holdSeconds: 0 }, 'input.holdSeconds'],
      [{ productId, holdSeconds: 604_801 }, 'input.holdSeconds'],
      [{ productId, depotId: 'nope' }, 'input.depotId'],
      [{ productId: randomUUID() }, 'input.productId'],
    ] as const) {
      const result = await reserve(hospital, input);
      expect({ field, extensions: result.errors?.[0]?.extensions }).toEqual({
        field,
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field }),
      });
    }
    const badId = await commit('not-an-id');
    expect(badId.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(await snapshot()).toEqual(before);
  });
});

describe('heldReservations (the orders service’s orphan sweep)', () => {
  const list = (variables: Record<string, unknown>, actor?: Actor) =>
    (actor ? t.gql : orders)<{ heldReservations: { id: string; reference: string }[] }>({
      query: HELD_RESERVATIONS,
      variables,
      token: actor?.token,
    });

  it('pages through HELD holds older than asked, by id, for the orders service alone', async () => {
    const productId = await productWithStock(10);
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => held(hospital, productId)));
    const old = [a!, b!, c!].sort((x, y) => (x.id < y.id ? -1 : 1));
    await t.sql(
      "UPDATE reservations SET created_at = now() - interval '10 minutes' WHERE id = ANY($1::uuid[])",
      [old.map((h) => h.id)],
    );
    const young = await held(hospital, productId);
    const closed = await held(hospital, productId);
    await t.sql("UPDATE reservations SET created_at = now() - interval '10 minutes' WHERE id = $1", [
      closed.id,
    ]);
    await release(closed.id, 'order cancelled');

    const all: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: { id: string }[] = (await list({ olderThanSeconds: 300, after, first: 2 })).data!
        .heldReservations;
      all.push(...page.map((h) => h.id));
      if (page.length < 2) break;
      after = page.at(-1)!.id;
    }
    for (const hold of old) expect(all).toContain(hold.id);
    expect(all).not.toContain(young.id);
    expect(all).not.toContain(closed.id);
    expect([...all].sort()).toEqual(all);

    for (const actor of [hospital, vendor, admin])
      expect((await list({ olderThanSeconds: 0 }, actor)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    for (const [variables, field] of [
      [{ olderThanSeconds: -1 }, 'olderThanSeconds'],
      [{ olderThanSeconds: 0, first: 0 }, 'first'],
      [{ olderThanSeconds: 0, first: 501 }, 'first'],
      [{ olderThanSeconds: 0, after: 'nope' }, 'after'],
    ] as const)
      expect((await list(variables)).errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field,
      });
  });
});
