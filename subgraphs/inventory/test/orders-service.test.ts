import { randomUUID } from 'node:crypto';
import { parse } from 'graphql';
import { createLogger } from '@flow/core';
import { SubgraphClient, type TypedDocumentNode } from '@flow/subgraph-kit';
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
  RELEASE,
  RESERVATION,
  RESERVATION_BY_REFERENCE,
  RESERVE,
  SET_STOCK,
  type ReservationResult,
} from './support/queries';

// The orders subgraph drives reservations as a trusted service: its calls are signed with the
// router's secret and name the service, with the user's token passed on or, in its recovery
// jobs, with none. Everything goes over HTTP, as it does between the real subgraphs.
let t: InventoryTestEnvironment;
let orders: GraphQLClient;
let vendor: Actor;
let driver: Actor;
let hospital: Actor;
let otherHospital: Actor;
let otherVendor: Actor;
let admin: Actor;
let depotId: string;
let productIds: string[];

const SEVEN_DAYS = 604_800;

beforeAll(async () => {
  t = await createTestEnvironment();
  orders = createSignedClient(t.app.url, ROUTER_SECRET, 'orders');
  vendor = await t.actor('VENDOR_ADMIN');
  driver = await t.actor('DRIVER', vendor.organizationId);
  hospital = await t.actor('HOSPITAL_STAFF');
  otherHospital = await t.actor('HOSPITAL_ADMIN');
  otherVendor = await t.actor('VENDOR_STAFF');
  admin = await t.actor('PLATFORM_ADMIN');
  depotId = await t.createDepot(vendor);
  productIds = (await t.sql<{ id: string }>('SELECT id FROM products ORDER BY sku')).map((p) => p.id);
});
afterAll(() => t?.stop());

let nextProduct = 0;
async function productWithStock(onHand: number): Promise<string> {
  const productId = productIds[nextProduct++]!;
  const result = await t.gql({
    query: SET_STOCK,
    variables: { input: { depotId, productId, onHand } },
    token: vendor.token,
  });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return productId;
}

type Client = GraphQLClient;
const reserve = (client: Client, token: string | undefined, input: Record<string, unknown>) =>
  client<{ reserveStock: ReservationResult }>({
    query: RESERVE,
    variables: { input: { depotId, quantity: 1, reference: randomUUID(), ...input } },
    token,
  });
const commit = (client: Client, token: string | undefined, id: string) =>
  client<{ commitReservation: ReservationResult }>({ query: COMMIT, variables: { id }, token });
const release = (client: Client, token: string | undefined, id: string, reason?: string) =>
  client<{ releaseReservation: ReservationResult }>({ query: RELEASE, variables: { id, reason }, token });
const byId = (client: Client, token: string | undefined, id: string) =>
  client<{ reservation: ReservationResult | null }>({ query: RESERVATION, variables: { id }, token });
const byReference = (client: Client, token: string | undefined, organizationId: string, reference: string) =>
  client<{ reservationByReference: ReservationResult | null }>({
    query: RESERVATION_BY_REFERENCE,
    variables: { organizationId, reference },
    token,
  });

const codeOf = (result: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  result.errors?.[0]?.extensions;

/** A hold the orders service made for `hospital` in a recovery job (no user). */
async function heldByOrders(productId: string, reference: string = randomUUID(), holdSeconds = 600) {
  const result = await reserve(orders, undefined, {
    productId,
    reference,
    holdSeconds,
    organizationId: hospital.organizationId,
  });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.reserveStock;
}

const stockOf = async (productId: string) =>
  (
    await t.sql<{ on_hand: number; reserved: number }>(
      'SELECT on_hand, reserved FROM stock_levels WHERE depot_id = $1 AND product_id = $2',
      [depotId, productId],
    )
  )[0];

const snapshot = async () => ({
  levels: await t.sql('SELECT * FROM stock_levels ORDER BY depot_id, product_id'),
  reservations: await t.sql('SELECT * FROM reservations ORDER BY id'),
  movements: await t.sql('SELECT count(*)::int AS n FROM stock_movements'),
  events: await t.sql('SELECT count(*)::int AS n FROM outbox_events'),
});

describe('the orders service without a user (recovery jobs)', () => {
  it('reserves for the hospital it names: no user on the movement, the service as the event actor', async () => {
    const productId = await productWithStock(10);
    const reference = `order-1/line-${randomUUID()}`;
    const hold = await heldByOrders(productId, reference);
    expect(hold).toMatchObject({ status: 'HELD', quantity: 1, reference });
    expect(await stockOf(productId)).toEqual({ on_hand: 10, reserved: 1 });

    const [row] = await t.sql('SELECT organization_id, created_by FROM reservations WHERE id = $1', [
      hold.id,
    ]);
    expect(row).toEqual({ organization_id: hospital.organizationId, created_by: null });
    const movements = await t.sql('SELECT kind, actor_id FROM stock_movements WHERE reservation_id = $1', [
      hold.id,
    ]);
    expect(movements).toEqual([{ kind: 'RESERVE', actor_id: null }]);
    const events = await t.sql(
      "SELECT type, actor, organization_ids FROM outbox_events WHERE data->>'reservationId' = $1",
      [hold.id],
    );
    expect(events).toEqual([
      {
        type: 'stock.reserved',
        actor: 'service:orders',
        organization_ids: [vendor.organizationId, hospital.organizationId],
      },
    ]);

    // The hold is the hospital's: it sees it (it may not reserve itself), and the same reference is the same hold.
    expect((await byId(t.gql, hospital.token, hold.id)).data!.reservation!.id).toBe(hold.id);
    const again = await reserve(t.gql, hospital.token, { productId, reference });
    expect(codeOf(again)).toMatchObject({ code: 'FORBIDDEN' });
    expect((await heldByOrders(productId, reference)).id).toBe(hold.id);
    expect(await stockOf(productId)).toEqual({ on_hand: 10, reserved: 1 });
  });

  it('needs input.organizationId, and refuses one that is not an id', async () => {
    const productId = await productWithStock(10);
    const before = await snapshot();
    const missing = await reserve(orders, undefined, { productId });
    expect(codeOf(missing)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.organizationId' });
    const malformed = await reserve(orders, undefined, { productId, organizationId: 'hospital' });
    expect(codeOf(malformed)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.organizationId' });
    expect(await snapshot()).toEqual(before);
  });

  it('commits, releases and reads holds, recorded as the service', async () => {
    const productId = await productWithStock(10);
    const [a, b] = [await heldByOrders(productId), await heldByOrders(productId)];
    expect((await byId(orders, undefined, a.id)).data!.reservation).toMatchObject({
      id: a.id,
      status: 'HELD',
    });
    expect((await commit(orders, undefined, a.id)).data!.commitReservation.status).toBe('COMMITTED');
    const released = await release(orders, undefined, b.id, 'placement failed');
    expect(released.data!.releaseReservation.status).toBe('RELEASED');
    expect(await stockOf(productId)).toEqual({ on_hand: 9, reserved: 0 });

    const closing = await t.sql(
      `SELECT m.kind, m.actor_id, e.type, e.actor FROM stock_movements m
       JOIN outbox_events e ON e.data->>'reservationId' = m.reservation_id::text AND e.type <> 'stock.reserved'
       WHERE m.reservation_id = ANY($1::uuid[]) AND m.kind <> 'RESERVE' ORDER BY m.kind`,
      [[a.id, b.id]],
    );
    expect(closing).toEqual([
      { kind: 'COMMIT', actor_id: null, type: 'stock.committed', actor: 'service:orders' },
      { kind: 'RELEASE', actor_id: null, type: 'stock.released', actor: 'service:orders' },
    ]);
  });

  it('works through the platform’s SubgraphClient, as the orders subgraph calls', async () => {
    const productId = await productWithStock(5);
    const client = new SubgraphClient({
      name: 'inventory',
      url: t.app.url,
      secret: ROUTER_SECRET,
      logger: createLogger('orders-test', 'silent'),
      service: 'orders',
    });
    const job = { requestId: `recovery-${randomUUID()}`, authorization: null, clientAddress: null };
    const reference = `order-2/line-${randomUUID()}`;
    const reserve = parse(RESERVE) as TypedDocumentNode<{ reserveStock: ReservationResult }>;
    const byReference = parse(RESERVATION_BY_REFERENCE) as TypedDocumentNode<{
      reservationByReference: ReservationResult | null;
    }>;
    const { reserveStock } = await client.once(job, reserve, {
      input: { depotId, productId, quantity: 2, reference, organizationId: hospital.organizationId },
    });
    const { reservationByReference } = await client.idempotent(job, byReference, {
      organizationId: hospital.organizationId,
      reference,
    });
    expect(reservationByReference).toEqual(reserveStock);
    await expect(
      client.once(job, reserve, { input: { depotId, productId, quantity: 1, reference: randomUUID() } }),
    ).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.organizationId' } });
  });
});

describe('the orders service on behalf of a user', () => {
  it('commits with the assigned driver’s token, which alone may not', async () => {
    const productId = await productWithStock(10);
    const hold = await heldByOrders(productId);
    expect(codeOf(await commit(t.gql, driver.token, hold.id))).toMatchObject({ code: 'FORBIDDEN' });
    expect((await byId(t.gql, driver.token, hold.id)).data!.reservation).toBeNull();

    const committed = await commit(orders, driver.token, hold.id);
    expect(committed.data!.commitReservation).toMatchObject({ id: hold.id, status: 'COMMITTED' });
    expect(await stockOf(productId)).toEqual({ on_hand: 9, reserved: 0 });
    const [movement] = await t.sql(
      "SELECT actor_id FROM stock_movements WHERE reservation_id = $1 AND kind = 'COMMIT'",
      [hold.id],
    );
    expect(movement).toEqual({ actor_id: driver.userId });
    const [event] = await t.sql(
      "SELECT actor FROM outbox_events WHERE type = 'stock.committed' AND data->>'reservationId' = $1",
      [hold.id],
    );
    expect(event).toEqual({ actor: driver.userId });
  });

  it('reserves for the hospital user whose token it passes on, by default for their organization', async () => {
    const productId = await productWithStock(10);
    const result = await reserve(orders, hospital.token, { productId });
    const hold = result.data!.reserveStock;
    const [row] = await t.sql('SELECT organization_id, created_by FROM reservations WHERE id = $1', [
      hold.id,
    ]);
    expect(row).toEqual({ organization_id: hospital.organizationId, created_by: hospital.userId });
  });
});

describe('organizationId', () => {
  it('is FORBIDDEN to people whichever organization they name, platform admins included, and nothing is reserved', async () => {
    const productId = await productWithStock(10);
    const before = await snapshot();
    for (const actor of [hospital, admin]) {
      for (const organizationId of [null, actor.organizationId, otherHospital.organizationId]) {
        const result = await reserve(t.gql, actor.token, { productId, organizationId });
        expect(codeOf(result)).toMatchObject({ code: 'FORBIDDEN' });
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it('may be another organization for the orders service with a user', async () => {
    const productId = await productWithStock(10);
    const forOrders = await reserve(orders, otherHospital.token, {
      productId,
      organizationId: hospital.organizationId,
    });
    const rows = await t.sql<{ organization_id: string }>(
      'SELECT organization_id FROM reservations WHERE id = $1',
      [forOrders.data!.reserveStock.id],
    );
    expect(rows.map((r) => r.organization_id)).toEqual([hospital.organizationId]);
  });
});

describe('holdSeconds', () => {
  it('goes up to seven days for the orders service (people may not hold at all)', async () => {
    const productId = await productWithStock(10);
    const week = await reserve(orders, undefined, {
      productId,
      holdSeconds: SEVEN_DAYS,
      organizationId: hospital.organizationId,
    });
    const expiresIn = Date.parse(week.data!.reserveStock.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan((SEVEN_DAYS - 60) * 1000);
    expect(expiresIn).toBeLessThanOrEqual(SEVEN_DAYS * 1000);
    expect(
      (await reserve(orders, hospital.token, { productId, holdSeconds: SEVEN_DAYS })).errors,
    ).toBeUndefined();

    const before = await snapshot();
    const tooLong = await reserve(orders, undefined, {
      productId,
      holdSeconds: SEVEN_DAYS + 1,
      organizationId: hospital.organizationId,
    });
    expect(codeOf(tooLong)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.holdSeconds' });
    for (const actor of [hospital, admin]) {
      const result = await reserve(t.gql, actor.token, { productId, holdSeconds: SEVEN_DAYS });
      expect(codeOf(result)).toMatchObject({ code: 'FORBIDDEN' });
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe('reservationByReference', () => {
  it('shows the hold to the orders service, platform admins and its parties; null to anyone else', async () => {
    const productId = await productWithStock(10);
    const reference = `order-3/line-${randomUUID()}`;
    const hold = await heldByOrders(productId, reference);
    const find = (client: Client, actor?: Actor) =>
      byReference(client, actor?.token, hospital.organizationId, reference).then(
        (r) => r.data?.reservationByReference?.id ?? r.errors?.[0]?.extensions?.code ?? null,
      );
    expect(await find(orders)).toBe(hold.id);
    expect(await find(orders, driver)).toBe(hold.id);
    for (const party of [hospital, vendor, admin]) expect(await find(t.gql, party)).toBe(hold.id);
    for (const stranger of [otherHospital, otherVendor, driver])
      expect(await find(t.gql, stranger)).toBeNull();

    // Null, not an error, when there is no such hold: the orders service then knows to reserve.
    const none = await byReference(orders, undefined, hospital.organizationId, `never-${randomUUID()}`);
    expect(none).toMatchObject({ data: { reservationByReference: null } });
    expect(none.errors).toBeUndefined();
    const elsewhere = await byReference(orders, undefined, otherHospital.organizationId, reference);
    expect(elsewhere.data!.reservationByReference).toBeNull();
  });

  it('names a bad argument, and wants a user or the orders service', async () => {
    const bad = await byReference(orders, undefined, 'not-an-id', 'x');
    expect(codeOf(bad)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'organizationId' });
    const anonymous = await byReference(t.gql, undefined, hospital.organizationId, 'x');
    expect(codeOf(anonymous)).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('a call that only claims to be the orders service', () => {
  const claim = { 'x-flow-service': 'orders' };
  const claiming: Client = (request) => t.gql({ ...request, headers: { ...request.headers, ...claim } });

  it('gets none of its powers when unsigned', async () => {
    const productId = await productWithStock(10);
    const hold = await heldByOrders(productId, `order-4/line-${randomUUID()}`);
    const before = await snapshot();

    const anonymous = await reserve(claiming, undefined, {
      productId,
      organizationId: hospital.organizationId,
    });
    expect(codeOf(anonymous)).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(codeOf(await commit(claiming, undefined, hold.id))).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(codeOf(await release(claiming, undefined, hold.id))).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(codeOf(await byId(claiming, undefined, hold.id))).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(
      codeOf(await byReference(claiming, undefined, hospital.organizationId, hold.reference)),
    ).toMatchObject({ code: 'UNAUTHENTICATED' });

    expect(codeOf(await commit(claiming, driver.token, hold.id))).toMatchObject({ code: 'FORBIDDEN' });
    expect(codeOf(await release(claiming, driver.token, hold.id))).toMatchObject({ code: 'FORBIDDEN' });
    expect((await byId(claiming, driver.token, hold.id)).data!.reservation).toBeNull();
    const found = await byReference(claiming, driver.token, hospital.organizationId, hold.reference);
    expect(found.data!.reservationByReference).toBeNull();
    const forOther = await reserve(claiming, otherHospital.token, {
      productId,
      organizationId: hospital.organizationId,
    });
    expect(codeOf(forOther)).toMatchObject({ code: 'FORBIDDEN' });
    const week = await reserve(claiming, hospital.token, { productId, holdSeconds: SEVEN_DAYS });
    expect(codeOf(week)).toMatchObject({ code: 'FORBIDDEN' });
    expect(await snapshot()).toEqual(before);
  });

  it('gets none of them when signed as another service', async () => {
    const productId = await productWithStock(10);
    const hold = await heldByOrders(productId);
    const payments = createSignedClient(t.app.url, ROUTER_SECRET, 'payments');
    const before = await snapshot();
    const result = await reserve(payments, undefined, { productId, organizationId: hospital.organizationId });
    expect(codeOf(result)).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(codeOf(await commit(payments, driver.token, hold.id))).toMatchObject({ code: 'FORBIDDEN' });
    expect(
      codeOf(await reserve(payments, hospital.token, { productId, holdSeconds: SEVEN_DAYS })),
    ).toMatchObject({ code: 'FORBIDDEN' });
    expect(await snapshot()).toEqual(before);
  });
});
