import { randomUUID } from 'node:crypto';
import type { LivePublisher } from '../src/services/stock-notifier';
import type { GraphQLClient } from '@flow/testing';
import {
  createSignedClient,
  createTestEnvironment,
  ROUTER_SECRET,
  type InventoryTestEnvironment,
  type Actor,
} from './support/environment';
import {
  ADJUST_STOCK,
  COMMIT,
  RELEASE,
  RESERVE,
  SET_STOCK,
  STOCK_LEVEL,
  STOCK_LEVELS,
  type Level,
  type ReservationResult,
} from './support/queries';

// Every committed stock change is announced on `stock:<depotId>` (ids only) for the router's
// stockLevelChanged, which answers each announcement by querying stockLevel.

interface Published {
  topic: string;
  message: unknown;
  /** The stock row and its reservations as another session saw them while publish ran. */
  seen: { onHand: number; reserved: number; holds: Record<string, string> } | null;
}

let t: InventoryTestEnvironment;
/** Holds are made, committed and released by the orders service, here on behalf of the actor. */
let orders: GraphQLClient;
let published: Published[] = [];
let failure: 'none' | 'reject' | 'throw' = 'none';

/** What the database shows to anyone but the publishing transaction: only committed data. */
async function committedState(depotId: string, productId: string): Promise<Published['seen']> {
  const [row] = await t.sql<{ on_hand: number; reserved: number }>(
    'SELECT on_hand, reserved FROM stock_levels WHERE depot_id = $1 AND product_id = $2',
    [depotId, productId],
  );
  if (!row) return null;
  const holds = await t.sql<{ id: string; status: string }>(
    'SELECT id, status::text AS status FROM reservations WHERE depot_id = $1 AND product_id = $2',
    [depotId, productId],
  );
  return {
    onHand: row.on_hand,
    reserved: row.reserved,
    holds: Object.fromEntries(holds.map((h) => [h.id, h.status])),
  };
}

const recordingPublisher: LivePublisher = {
  publish(topic, message) {
    if (failure === 'throw') throw new Error('channel exploded');
    if (failure === 'reject') return Promise.reject(new Error('channel down'));
    const { depotId, productId } = message as { depotId: string; productId: string };
    return committedState(depotId, productId).then((seen) => {
      published.push({ topic, message, seen });
    });
  },
};

let vendor: Actor;
let otherVendor: Actor;
let hospital: Actor;
let otherHospital: Actor;
let depotId: string;
let productIds: string[];
let nextProduct = 0;

beforeAll(async () => {
  t = await createTestEnvironment({ publisher: recordingPublisher });
  orders = createSignedClient(t.app.url, ROUTER_SECRET, 'orders');
  vendor = await t.actor('VENDOR_ADMIN');
  otherVendor = await t.actor('VENDOR_ADMIN');
  hospital = await t.actor('HOSPITAL_STAFF');
  otherHospital = await t.actor('HOSPITAL_STAFF');
  depotId = await t.createDepot(vendor);
  productIds = (await t.sql<{ id: string }>('SELECT id FROM products WHERE active ORDER BY sku')).map(
    (p) => p.id,
  );
});
afterAll(() => t?.stop());
beforeEach(() => {
  published = [];
  failure = 'none';
});

const ok = <T>(result: { data?: T | null; errors?: unknown }): T => {
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!;
};

const setStock = (actor: Actor, input: Record<string, unknown>) =>
  t.gql<{ setStock: Level }>({
    query: SET_STOCK,
    variables: { input: { depotId, ...input } },
    token: actor.token,
  });
const reserve = (actor: Actor, productId: string, quantity: number, reference: string = randomUUID()) =>
  orders<{ reserveStock: ReservationResult }>({
    query: RESERVE,
    variables: { input: { depotId, productId, quantity, reference, holdSeconds: 600 } },
    token: actor.token,
  });
const commit = (actor: Actor, id: string, client: GraphQLClient = orders) =>
  client<{ commitReservation: ReservationResult }>({ query: COMMIT, variables: { id }, token: actor.token });
const release = (actor: Actor, id: string, client: GraphQLClient = orders) =>
  client<{ releaseReservation: ReservationResult }>({
    query: RELEASE,
    variables: { id },
    token: actor.token,
  });

/** A product with exactly `onHand` at the depot; the set's own announcement is cleared. */
async function productWithStock(onHand: number): Promise<string> {
  const productId = productIds[nextProduct++]!;
  ok(await setStock(vendor, { productId, onHand }));
  published = [];
  return productId;
}

const announcement = (type: string, productId: string) => ({
  topic: `stock:${depotId}`,
  message: { type, depotId, productId },
});

describe('announcing stock changes', () => {
  it('announces setStock once the new count is committed', async () => {
    const productId = productIds[nextProduct++]!;
    ok(await setStock(vendor, { productId, onHand: 12 }));
    expect(published).toEqual([
      { ...announcement('stock.set', productId), seen: { onHand: 12, reserved: 0, holds: {} } },
    ]);
  });

  it('announces adjustStock once the new count is committed', async () => {
    const productId = await productWithStock(10);
    ok(
      await t.gql({
        query: ADJUST_STOCK,
        variables: { input: { depotId, productId, delta: -4, reason: 'damaged valves' } },
        token: vendor.token,
      }),
    );
    expect(published).toEqual([
      { ...announcement('stock.adjusted', productId), seen: { onHand: 6, reserved: 0, holds: {} } },
    ]);
  });

  it('announces a new hold once it is committed, and not the same reference again', async () => {
    const productId = await productWithStock(10);
    const hold = ok(await reserve(hospital, productId, 3, 'line-1')).reserveStock;
    expect(published).toEqual([
      {
        ...announcement('stock.reserved', productId),
        seen: { onHand: 10, reserved: 3, holds: { [hold.id]: 'HELD' } },
      },
    ]);

    published = [];
    expect(ok(await reserve(hospital, productId, 3, 'line-1')).reserveStock.id).toBe(hold.id);
    expect(published).toEqual([]);
  });

  it('announces a commit once it is committed, and not committing again', async () => {
    const productId = await productWithStock(10);
    const hold = ok(await reserve(hospital, productId, 4)).reserveStock;
    published = [];
    ok(await commit(hospital, hold.id));
    expect(published).toEqual([
      {
        ...announcement('stock.committed', productId),
        seen: { onHand: 6, reserved: 0, holds: { [hold.id]: 'COMMITTED' } },
      },
    ]);

    published = [];
    ok(await commit(hospital, hold.id));
    expect(published).toEqual([]);
  });

  it('announces a release once it is committed, and not releasing again', async () => {
    const productId = await productWithStock(10);
    const hold = ok(await reserve(hospital, productId, 4)).reserveStock;
    published = [];
    ok(await release(hospital, hold.id));
    expect(published).toEqual([
      {
        ...announcement('stock.released', productId),
        seen: { onHand: 10, reserved: 0, holds: { [hold.id]: 'RELEASED' } },
      },
    ]);

    published = [];
    expect(ok(await release(hospital, hold.id)).releaseReservation.status).toBe('RELEASED');
    expect(published).toEqual([]);
  });

  it('announces each expired hold once the sweep has committed it', async () => {
    const productId = await productWithStock(10);
    const first = ok(await reserve(hospital, productId, 2)).reserveStock;
    const second = ok(await reserve(hospital, productId, 3)).reserveStock;
    const live = ok(await reserve(hospital, productId, 1)).reserveStock;
    await t.sql(
      "UPDATE reservations SET expires_at = now() - interval '1 second' WHERE id = ANY($1::uuid[])",
      [[first.id, second.id]],
    );
    published = [];

    expect(await t.app.services.expireReservations()).toBe(2);
    const seen = {
      onHand: 10,
      reserved: 1,
      holds: { [first.id]: 'EXPIRED', [second.id]: 'EXPIRED', [live.id]: 'HELD' },
    };
    expect(published).toEqual([
      { ...announcement('stock.expired', productId), seen },
      { ...announcement('stock.expired', productId), seen },
    ]);

    published = [];
    expect(await t.app.services.expireReservations()).toBe(0);
    expect(published).toEqual([]);
  });
});

describe('refused changes announce nothing', () => {
  it('is silent when a change is refused', async () => {
    const productId = await productWithStock(5);
    const otherDepot = await t.createDepot(otherVendor);
    const hold = ok(await reserve(hospital, productId, 2)).reserveStock;
    published = [];

    const refusals = [
      [await reserve(hospital, productId, 4), 'OUT_OF_STOCK'],
      [await setStock(otherVendor, { productId, onHand: 1 }), 'FORBIDDEN'],
      [await setStock(vendor, { productId, onHand: 1 }), 'BAD_USER_INPUT'],
      [await setStock(vendor, { depotId: otherDepot, productId, onHand: 1 }), 'FORBIDDEN'],
      [
        await t.gql({
          query: ADJUST_STOCK,
          variables: { input: { depotId, productId, delta: -4, reason: 'count' } },
          token: vendor.token,
        }),
        'BAD_USER_INPUT',
      ],
      [await commit(hospital, hold.id, t.gql), 'FORBIDDEN'],
      [await release(otherHospital, hold.id, t.gql), 'FORBIDDEN'],
    ] as const;
    for (const [result, code] of refusals) expect(result.errors?.[0]?.extensions?.code).toBe(code);
    ok(await commit(hospital, hold.id));
    published = [];
    expect((await release(hospital, hold.id)).errors?.[0]?.extensions?.code).toBe('CONFLICT');

    expect(published).toEqual([]);
    expect(await committedState(depotId, productId)).toEqual({
      onHand: 3,
      reserved: 0,
      holds: { [hold.id]: 'COMMITTED' },
    });
  });
});

describe('a failing channel', () => {
  it.each(['reject', 'throw'] as const)('does not fail the change when publish %ss', async (mode) => {
    const productId = await productWithStock(10);
    failure = mode;
    expect(ok(await setStock(vendor, { productId, onHand: 7 })).setStock.onHand).toBe(7);
    const hold = ok(await reserve(hospital, productId, 2)).reserveStock;
    expect(ok(await commit(hospital, hold.id)).commitReservation.status).toBe('COMMITTED');
    expect(await committedState(depotId, productId)).toEqual({
      onHand: 5,
      reserved: 0,
      holds: { [hold.id]: 'COMMITTED' },
    });
    expect(published).toEqual([]);
  });
});

describe('stockLevel', () => {
  const query = (actor: Actor | null, variables: { depotId: string; productId: string }) =>
    t.gql<{ stockLevel: Level | null }>({ query: STOCK_LEVEL, variables, token: actor?.token });

  it('shows a level to whoever sees it in stockLevels: any signed-in user', async () => {
    const productId = await productWithStock(8);
    const readers = [
      vendor,
      otherVendor,
      hospital,
      await t.actor('DRIVER'),
      await t.actor('PLATFORM_ADMIN'),
      await t.actor('VENDOR_STAFF', vendor.organizationId),
    ];
    for (const reader of readers) {
      const single = ok(await query(reader, { depotId, productId })).stockLevel;
      const listed = ok(
        await t.gql<{ stockLevels: Level[] }>({
          query: STOCK_LEVELS,
          variables: { productId, depotIds: [depotId] },
          token: reader.token,
        }),
      ).stockLevels;
      expect(single).toMatchObject({
        depot: { id: depotId },
        product: { id: productId },
        onHand: 8,
        available: 8,
      });
      expect([single]).toEqual(listed);
    }
    expect((await query(null, { depotId, productId })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('is null where the depot does not carry the product', async () => {
    const productId = await productWithStock(1);
    const unstocked = productIds[nextProduct++]!;
    expect(ok(await query(hospital, { depotId, productId: unstocked })).stockLevel).toBeNull();
    expect(ok(await query(hospital, { depotId: randomUUID(), productId })).stockLevel).toBeNull();
    expect(ok(await query(hospital, { depotId, productId: randomUUID() })).stockLevel).toBeNull();
    // Ids in any case name the same row.
    expect(
      ok(await query(hospital, { depotId: depotId.toUpperCase(), productId: productId.toUpperCase() }))
        .stockLevel,
    ).toMatchObject({ depot: { id: depotId }, onHand: 1 });
  });

  it('names a malformed id', async () => {
    for (const [variables, field] of [
      [{ depotId: 'x', productId: productIds[0]! }, 'depotId'],
      [{ depotId, productId: 'y' }, 'productId'],
    ] as const) {
      expect((await query(hospital, variables)).errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field,
      });
    }
  });
});
