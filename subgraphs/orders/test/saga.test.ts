import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GraphQLResponse } from '@flow/testing';
import {
  CANCEL,
  CONFIRM,
  CONFIRM_DELIVERY,
  createOrdersTestEnvironment,
  DISPATCH,
  newViewer,
  ORDER,
  ORDER_ROW,
  PLACE_ORDER,
  REJECT,
  type OrderRow,
  type OrderView,
  type OrdersTestEnvironment,
  type ScriptedDependencies,
  type Step,
  type TestViewer,
} from './support';

// The placeOrder saga and what finishes it (compensation, settlement, recovery), through GraphQL
// calls to the orders app, with the other subgraphs scripted in memory.
let t: OrdersTestEnvironment;
let deps: ScriptedDependencies;

const hospital = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
const vendor = newViewer('VENDOR', 'VENDOR_ADMIN');
const driver = newViewer('VENDOR', 'DRIVER', vendor.organizationId);
const otherVendor = newViewer('VENDOR', 'VENDOR_ADMIN');
const site = randomUUID();
const oxygen = randomUUID();
const nitrogen = randomUUID();
const depot = randomUUID();
const otherDepot = randomUUID();

beforeAll(async () => {
  t = await createOrdersTestEnvironment();
  deps = t.dependencies;
  // 2 x oxygen + 1 x nitrogen: depot 1500*2 + 800 + 2500 = 6300, otherDepot 1400*2 + 900 + 3000 = 6700.
  deps.depots.push(
    {
      vendorId: vendor.organizationId,
      depotId: depot,
      deliveryFeeMinor: 2500,
      distanceKm: 8,
      etaMinutes: 20,
      prices: { [oxygen]: 1500, [nitrogen]: 800 },
    },
    {
      vendorId: otherVendor.organizationId,
      depotId: otherDepot,
      deliveryFeeMinor: 3000,
      distanceKm: 3,
      etaMinutes: 10,
      prices: { [oxygen]: 1400, [nitrogen]: 900 },
    },
  );
  deps.users.set(driver.userId, { id: driver.userId, role: 'DRIVER', organizationId: vendor.organizationId });
});
afterEach(() => deps.heal());
afterAll(() => t?.stop());

let sequence = 0;
const newKey = (label = 'order') => `${label}-${Date.now().toString(36)}-${++sequence}`;

const orderInput = (overrides: Record<string, unknown> = {}) => ({
  siteId: site,
  items: [
    { productId: oxygen, quantity: 2 },
    { productId: nitrogen, quantity: 1 },
  ],
  notes: 'Deliver to the loading bay',
  payment: { method: 'CARD', cardToken: 'tok_visa' },
  ...overrides,
});

async function place(key: string, input = orderInput(), viewer: TestViewer = hospital) {
  return t.gql<{ placeOrder: OrderView }>({
    query: PLACE_ORDER,
    variables: { input, key },
    token: await t.as(viewer),
  });
}

async function placed(key = newKey(), input = orderInput(), viewer: TestViewer = hospital) {
  const result = await place(key, input, viewer);
  expect(result.errors).toBeUndefined();
  return result.data!.placeOrder;
}

async function call<D>(viewer: TestViewer, query: string, variables: Record<string, unknown>) {
  return t.gql<D>({ query, variables, token: await t.as(viewer) });
}

async function ok<D>(viewer: TestViewer, query: string, variables: Record<string, unknown>): Promise<D> {
  const result = await call<D>(viewer, query, variables);
  expect(result.errors).toBeUndefined();
  return result.data!;
}

const codeOf = (result: GraphQLResponse<unknown>) => result.errors?.[0]?.extensions?.code;

async function rowByKey(key: string, viewer: TestViewer = hospital): Promise<OrderRow> {
  const rows = await t.sql<OrderRow>(
    `${ORDER_ROW} WHERE idempotency_key = $1 AND hospital_organization_id = $2::uuid`,
    [key, viewer.organizationId],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

async function rowById(id: string): Promise<OrderRow> {
  const [row] = await t.sql<OrderRow>(`${ORDER_ROW} WHERE id = $1::uuid`, [id]);
  return row!;
}

/** As if the placement had started an hour ago: past the grace period. */
async function age(orderId: string) {
  await t.sql(`UPDATE orders SET created_at = now() - interval '1 hour' WHERE id = $1::uuid RETURNING id`, [
    orderId,
  ]);
}

const holdsOf = (orderId: string, lines = 2) =>
  Array.from({ length: lines }, (_, i) =>
    deps.reservationOf(hospital.organizationId, `order:${orderId}:${i + 1}`),
  );

const PAYMENT_STEPS: Step[] = [
  'authorizePayment',
  'paymentOfOrder',
  'capturePayment',
  'voidPayment',
  'refundPayment',
];

/** The steps called from now on, in order. */
function recordSteps(): () => Step[] {
  const from = deps.calls.length;
  return () => deps.calls.slice(from).map((c) => c.step);
}

async function keyRow(key: string) {
  return t.sql<{ completed_at: Date | null }>(
    `SELECT completed_at FROM idempotency_keys WHERE scope = $1 AND key = $2`,
    [`placeOrder:${hospital.organizationId}`, key],
  );
}

describe('placeOrder', () => {
  test('success: PLACED with its holds, payment, history and order.placed event', async () => {
    const steps = recordSteps();
    const order = await placed();

    expect(order).toMatchObject({
      status: 'PLACED',
      priority: 'ROUTINE',
      settlementPending: false,
      notes: 'Deliver to the loading bay',
      site: { id: site },
      hospital: { id: hospital.organizationId },
      vendor: { id: vendor.organizationId },
      depot: { id: depot },
      placedBy: { id: hospital.userId },
      items: [
        {
          product: { id: oxygen },
          quantity: 2,
          unitPrice: { amountMinor: 1500, currency: 'USD' },
          lineTotal: { amountMinor: 3000 },
        },
        {
          product: { id: nitrogen },
          quantity: 1,
          unitPrice: { amountMinor: 800 },
          lineTotal: { amountMinor: 800 },
        },
      ],
      subtotal: { amountMinor: 3800 },
      deliveryFee: { amountMinor: 2500 },
      total: { amountMinor: 6300, currency: 'USD' },
      statusHistory: [
        { status: 'PLACED', actor: { id: hospital.userId }, note: 'Deliver to the loading bay' },
      ],
      delivery: null,
    });
    expect(order.number).toMatch(/^ORD-\d{4}-\d{6}$/);
    expect(steps()).toEqual([
      'offers',
      'offers',
      'grantSiteAccess',
      'reserve',
      'reserve',
      'authorizePayment',
    ]);

    // The vendor may see the site; every line is held under its reference, for as long as configured.
    expect(deps.callsOf('grantSiteAccess').at(-1)).toEqual([site, vendor.organizationId]);
    const holds = holdsOf(order.id);
    expect(holds).toEqual([
      expect.objectContaining({ depotId: depot, productId: oxygen, quantity: 2, status: 'HELD' }),
      expect.objectContaining({ depotId: depot, productId: nitrogen, quantity: 1, status: 'HELD' }),
    ]);
    for (const hold of holds) expect(hold!.holdSeconds).toBe(t.config.stockHoldSeconds);
    const lines = await t.sql<{ line_no: number; reservation_id: string }>(
      `SELECT line_no, reservation_id::text FROM order_items WHERE order_id = $1::uuid ORDER BY line_no`,
      [order.id],
    );
    expect(lines).toEqual([
      { line_no: 1, reservation_id: holds[0]!.id },
      { line_no: 2, reservation_id: holds[1]!.id },
    ]);

    const [authorize] = deps.callsOf('authorizePayment').slice(-1);
    expect(authorize).toEqual([
      {
        orderId: order.id,
        payerOrganizationId: hospital.organizationId,
        payeeOrganizationId: vendor.organizationId,
        amount: { amountMinor: 6300, currency: 'USD' },
        method: 'CARD',
        cardToken: 'tok_visa',
        purchaseOrderNumber: null,
      },
      `order:${order.id}:authorize`,
    ]);
    const payment = deps.paymentOf(order.id)!;
    expect(payment.status).toBe('AUTHORIZED');
    const row = await rowById(order.id);
    expect(row).toMatchObject({ status: 'PLACED', payment_id: payment.id, compensation_pending: false });

    const history = await t.sql<{ status: string; actor_id: string }>(
      `SELECT status::text, actor_id::text FROM order_status_changes WHERE order_id = $1::uuid`,
      [order.id],
    );
    expect(history).toEqual([{ status: 'PLACED', actor_id: hospital.userId }]);
    const events = await t.sql<{
      type: string;
      actor: string;
      organization_ids: string[];
      data: Record<string, unknown>;
    }>(`SELECT type, actor, organization_ids::text[], data FROM outbox_events WHERE data->>'orderId' = $1`, [
      order.id,
    ]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'order.placed',
      actor: hospital.userId,
      organization_ids: [hospital.organizationId, vendor.organizationId],
      data: {
        orderId: order.id,
        number: order.number,
        status: 'PLACED',
        total: { amountMinor: 6300, currency: 'USD' },
        items: [
          { productId: oxygen, quantity: 2, unitPriceMinor: 1500, lineTotalMinor: 3000 },
          { productId: nitrogen, quantity: 1, unitPriceMinor: 800, lineTotalMinor: 800 },
        ],
      },
    });

    // Every party sees it.
    for (const viewer of [hospital, vendor]) {
      const seen = await ok<{ order: OrderView | null }>(viewer, ORDER, { id: order.id });
      expect(seen.order?.id).toBe(order.id);
    }
  });

  test('an invoiced order carries its purchase order number to payments', async () => {
    const order = await placed(
      newKey(),
      orderInput({ payment: { method: 'INVOICE', purchaseOrderNumber: 'PO-2291' }, priority: 'URGENT' }),
    );
    expect(order).toMatchObject({ status: 'PLACED', priority: 'URGENT' });
    expect(deps.callsOf('offers').slice(-2)).toEqual([
      [{ productId: oxygen, quantity: 2, siteId: site, priority: 'URGENT' }],
      [{ productId: nitrogen, quantity: 1, siteId: site, priority: 'URGENT' }],
    ]);
    expect(deps.paymentOf(order.id)).toMatchObject({
      status: 'INVOICED',
      method: 'INVOICE',
      purchaseOrderNumber: 'PO-2291',
      cardToken: null,
    });
  });

  test('OUT_OF_STOCK on line 2 of 2: line 1 released, FAILED with nothing pending, payments never asked', async () => {
    deps.fail('reserve', 'OUT_OF_STOCK', { when: (request) => request.productId === nitrogen });
    const key = newKey();
    const steps = recordSteps();
    const result = await place(key);

    expect(codeOf(result)).toBe('OUT_OF_STOCK');
    expect(result.data).toBeNull();
    const row = await rowByKey(key);
    expect(row).toMatchObject({
      status: 'FAILED',
      failure_code: 'OUT_OF_STOCK',
      compensation_pending: false,
    });
    const [line1, line2] = holdsOf(row.id);
    expect(line1!.status).toBe('RELEASED');
    expect(line2).toBeUndefined();
    // Payments is not involved at all: nothing was asked of it.
    expect(steps().filter((step) => PAYMENT_STEPS.includes(step))).toEqual([]);
    expect(deps.paymentOf(row.id)).toBeUndefined();
    // A failed placement is nobody's order and no order event announces it: its one event is the
    // placement.failed admin counts (fill rate), written with the move to FAILED.
    expect((await ok<{ order: unknown }>(hospital, ORDER, { id: row.id })).order).toBeNull();
    expect(
      await t.sql(
        `SELECT type, actor, organization_ids::text[], data FROM outbox_events WHERE data->>'orderId' = $1`,
        [row.id],
      ),
    ).toEqual([
      {
        type: 'placement.failed',
        actor: hospital.userId,
        organization_ids: [hospital.organizationId, vendor.organizationId],
        data: {
          orderId: row.id,
          hospitalOrganizationId: hospital.organizationId,
          vendorOrganizationId: vendor.organizationId,
          siteId: site,
          depotId: depot,
          priority: 'ROUTINE',
          failureCode: 'OUT_OF_STOCK',
          items: [
            { productId: oxygen, quantity: 2 },
            { productId: nitrogen, quantity: 1 },
          ],
        },
      },
    ]);

    // A definite answer is kept under the key: the retry hears it again, nothing is called.
    const retrySteps = recordSteps();
    expect(codeOf(await place(key))).toBe('OUT_OF_STOCK');
    expect(retrySteps()).toEqual([]);
  });

  test('no depot can fill it: OUT_OF_STOCK before any order row, recorded as placement.failed alone', async () => {
    const unpriced = randomUUID();
    const key = newKey();
    const result = await place(key, orderInput({ items: [{ productId: unpriced, quantity: 3 }] }));
    expect(codeOf(result)).toBe('OUT_OF_STOCK');
    expect(await t.sql(`SELECT id FROM orders WHERE idempotency_key = $1`, [key])).toEqual([]);
    const events = await t.sql<{ type: string; organization_ids: string[]; data: Record<string, unknown> }>(
      `SELECT type, organization_ids::text[], data FROM outbox_events WHERE data->'items'->0->>'productId' = $1`,
      [unpriced],
    );
    expect(events).toEqual([
      {
        type: 'placement.failed',
        organization_ids: [hospital.organizationId],
        data: expect.objectContaining({
          orderId: null,
          vendorOrganizationId: null,
          depotId: null,
          failureCode: 'OUT_OF_STOCK',
          items: [{ productId: unpriced, quantity: 3 }],
        }),
      },
    ]);
    // The retry with the key hears the stored answer: the same attempt, recorded once.
    expect(codeOf(await place(key, orderInput({ items: [{ productId: unpriced, quantity: 3 }] })))).toBe(
      'OUT_OF_STOCK',
    );
    expect(
      await t.sql(`SELECT id FROM outbox_events WHERE data->'items'->0->>'productId' = $1`, [unpriced]),
    ).toHaveLength(1);
  });

  test('PAYMENT_DECLINED: both holds released, FAILED with nothing pending, nothing to void', async () => {
    deps.fail('authorizePayment', 'PAYMENT_DECLINED');
    const key = newKey();
    const steps = recordSteps();
    const result = await place(key);

    expect(codeOf(result)).toBe('PAYMENT_DECLINED');
    const row = await rowByKey(key);
    expect(row).toMatchObject({
      status: 'FAILED',
      failure_code: 'PAYMENT_DECLINED',
      compensation_pending: false,
    });
    expect(holdsOf(row.id).map((h) => h?.status)).toEqual(['RELEASED', 'RELEASED']);
    expect(steps()).not.toContain('voidPayment');
    expect(steps()).not.toContain('paymentOfOrder');
  });

  test('pricing unavailable before anything is written: tried again, and the caller hears PLACED', async () => {
    deps.fail('offers', 'SERVICE_UNAVAILABLE', { times: 1 });
    const key = newKey();
    const order = await placed(key);
    expect(order.status).toBe('PLACED');
    expect((await rowByKey(key)).id).toBe(order.id);
  });

  test('pricing unavailable on every try: SERVICE_UNAVAILABLE, no order row, the key freed', async () => {
    deps.fail('offers', 'SERVICE_UNAVAILABLE');
    const key = newKey();
    expect(codeOf(await place(key))).toBe('SERVICE_UNAVAILABLE');
    expect(
      await t.sql(
        `SELECT id FROM orders WHERE idempotency_key = $1 AND hospital_organization_id = $2::uuid`,
        [key, hospital.organizationId],
      ),
    ).toEqual([]);
    expect(await keyRow(key)).toEqual([]);
  });

  test('payments unavailable at authorize: holds released at once; the late payment is voided after the grace period', async () => {
    deps.fail('authorizePayment', 'SERVICE_UNAVAILABLE');
    const key = newKey();
    const result = await place(key);

    expect(codeOf(result)).toBe('SERVICE_UNAVAILABLE');
    const row = await rowByKey(key);
    expect(row).toMatchObject({
      status: 'FAILED',
      failure_code: 'SERVICE_UNAVAILABLE',
      compensation_pending: true,
    });
    expect(holdsOf(row.id).map((h) => h?.status)).toEqual(['RELEASED', 'RELEASED']);
    const [request] = deps.callsOf('authorizePayment').slice(-1);
    expect(request![1]).toBe(`order:${row.id}:authorize`);
    // A transient failure frees the key for a retry.
    expect(await keyRow(key)).toEqual([]);

    // Payments is back but has no payment (yet): within the grace period that is not final.
    deps.heal();
    const lookups = deps.callsOf('paymentOfOrder').filter(([id]) => id === row.id).length;
    await t.app.services.recovery.runOnce();
    expect(deps.callsOf('paymentOfOrder').filter(([id]) => id === row.id).length).toBe(lookups + 1);
    expect(await rowById(row.id)).toMatchObject({ status: 'FAILED', compensation_pending: true });

    // The authorisation that timed out did land at payments after all.
    const payment = deps.landPayment(request![0]);
    await age(row.id);
    const report = await t.app.services.recovery.runOnce();

    expect(report.compensated).toBeGreaterThanOrEqual(1);
    expect(deps.callsOf('voidPayment')).toContainEqual([payment.id, `order:${row.id}:void`]);
    expect(payment.status).toBe('VOIDED');
    expect(await rowById(row.id)).toMatchObject({ status: 'FAILED', compensation_pending: false });
  });

  test('a hold whose reply was lost is found by its reference and released by recovery', async () => {
    deps.fail('reserve', 'SERVICE_UNAVAILABLE', {
      afterEffect: true,
      times: 1,
      when: (request) => request.productId === nitrogen,
    });
    // Inventory is still unreachable when the request tries to undo it.
    deps.fail('reservationByReference', 'SERVICE_UNAVAILABLE', { times: 1 });
    const key = newKey();
    const result = await place(key);

    expect(codeOf(result)).toBe('SERVICE_UNAVAILABLE');
    const row = await rowByKey(key);
    expect(row).toMatchObject({ status: 'FAILED', compensation_pending: true });
    const [line1, line2] = holdsOf(row.id);
    expect(line1!.status).toBe('RELEASED');
    expect(line2!.status).toBe('HELD');
    const [stored] = await t.sql<{ reservation_id: string | null }>(
      `SELECT reservation_id::text FROM order_items WHERE order_id = $1::uuid AND line_no = 2`,
      [row.id],
    );
    expect(stored!.reservation_id).toBeNull();
    expect(deps.callsAbout(row.id).map((c) => c.step)).not.toContain('authorizePayment');

    await t.app.services.recovery.runOnce();
    expect(deps.callsOf('reservationByReference')).toContainEqual([
      hospital.organizationId,
      `order:${row.id}:2`,
    ]);
    expect(deps.callsOf('releaseReservation').map(([id]) => id)).toContain(line2!.id);
    expect(line2!.status).toBe('RELEASED');

    // Past the grace period, "no payment" is final and the order is done with.
    await age(row.id);
    await t.app.services.recovery.runOnce();
    expect(await rowById(row.id)).toMatchObject({ status: 'FAILED', compensation_pending: false });
  });

  test('a hold that lands after its reserve timed out: "not found" is not final within the grace period', async () => {
    deps.fail('reserve', 'SERVICE_UNAVAILABLE', {
      times: 1,
      when: (request) => request.productId === nitrogen,
    });
    const key = newKey();
    expect(codeOf(await place(key))).toBe('SERVICE_UNAVAILABLE');

    const row = await rowByKey(key);
    expect(row).toMatchObject({
      status: 'FAILED',
      failure_code: 'SERVICE_UNAVAILABLE',
      compensation_pending: true,
    });
    expect(deps.callsOf('reservationByReference')).toContainEqual([
      hospital.organizationId,
      `order:${row.id}:2`,
    ]);
    const [line1, missing] = holdsOf(row.id);
    expect(line1!.status).toBe('RELEASED');
    expect(missing).toBeUndefined();

    const [request] = deps.callsOf('reserve').slice(-1);
    const late = deps.landHold(request![0]);
    await t.app.services.recovery.runOnce();
    expect(late.status).toBe('RELEASED');
    await age(row.id);
    await t.app.services.recovery.runOnce();
    expect(await rowById(row.id)).toMatchObject({ status: 'FAILED', compensation_pending: false });
  });

  test('a placement whose process died is failed INTERRUPTED by recovery, its key freed and its holds released', async () => {
    const gate = deps.hang('authorizePayment');
    const key = newKey();
    const inFlight = place(key);
    await gate.reached;

    const row = await rowByKey(key);
    expect(row.status).toBe('PENDING');
    expect(await keyRow(key)).toEqual([{ completed_at: null }]);
    expect((await ok<{ order: unknown }>(hospital, ORDER, { id: row.id })).order).toBeNull();

    // Still within the grace period: it may just be slow.
    await t.app.services.recovery.runOnce();
    expect((await rowById(row.id)).status).toBe('PENDING');

    await age(row.id);
    const report = await t.app.services.recovery.runOnce();
    expect(report.abandoned).toBeGreaterThanOrEqual(1);
    expect(await rowById(row.id)).toMatchObject({
      status: 'FAILED',
      failure_code: 'INTERRUPTED',
      compensation_pending: false,
    });
    expect(await keyRow(key)).toEqual([]);
    expect(holdsOf(row.id).map((h) => h?.status)).toEqual(['RELEASED', 'RELEASED']);
    expect(await t.sql(`SELECT id FROM order_status_changes WHERE order_id = $1::uuid`, [row.id])).toEqual(
      [],
    );
    // Recovery ended it, for nobody: placement.failed with no actor.
    expect(
      await t.sql(
        `SELECT actor, data->>'failureCode' AS code FROM outbox_events WHERE data->>'orderId' = $1`,
        [row.id],
      ),
    ).toEqual([{ actor: null, code: 'INTERRUPTED' }]);

    // The request was not dead after all: its payment lands, and it undoes that too.
    gate.release();
    const late = await inFlight;
    expect(codeOf(late)).toBe('SERVICE_UNAVAILABLE');
    const payment = deps.paymentOf(row.id)!;
    expect(payment.status).toBe('VOIDED');
    expect(deps.callsOf('voidPayment')).toContainEqual([payment.id, `order:${row.id}:void`]);
    expect(await rowById(row.id)).toMatchObject({
      status: 'FAILED',
      failure_code: 'INTERRUPTED',
      compensation_pending: false,
    });

    // The freed key places a new order.
    const retried = await placed(key);
    expect(retried.id).not.toBe(row.id);
    expect(retried.status).toBe('PLACED');
  });
});

describe('a key freed by recovery', () => {
  // Recovery frees the key of a placement it took for dead; the client's retry then places order B
  // under it. When the "dead" request finally finishes (SERVICE_UNAVAILABLE), it must not delete
  // B's key row, or the next retry would run the saga again instead of getting B.
  test('a retry after abandonment keeps its key when the abandoned request finishes late', async () => {
    const gate = deps.hang('authorizePayment');
    const key = newKey();
    const inFlight = place(key);
    await gate.reached;
    await age((await rowByKey(key)).id);
    await t.app.services.recovery.runOnce();

    const retried = await placed(key);
    gate.release();
    expect(codeOf(await inFlight)).toBe('SERVICE_UNAVAILABLE');

    expect(await keyRow(key)).toEqual([{ completed_at: expect.any(Date) }]);
    const again = await place(key);
    expect(again.errors).toBeUndefined();
    expect(again.data!.placeOrder.id).toBe(retried.id);
  });
});

describe('closing an order', () => {
  const proof = {
    receivedBy: 'Nurse Joy',
    signature: 'data:image/png;base64,AAAA',
    deliveredSerials: ['CYL-1'],
  };

  test('cancel while payments is down: CANCELLED with settlementPending, finished by recovery', async () => {
    const order = await placed();
    const payment = deps.paymentOf(order.id)!;
    deps.fail('voidPayment', 'SERVICE_UNAVAILABLE');

    const { cancelOrder } = await ok<{ cancelOrder: OrderView }>(hospital, CANCEL, {
      id: order.id,
      reason: 'Patient transferred',
    });
    expect(cancelOrder).toMatchObject({
      status: 'CANCELLED',
      settlementPending: true,
      closeReason: 'Patient transferred',
      statusHistory: [
        { status: 'PLACED', actor: { id: hospital.userId } },
        { status: 'CANCELLED', actor: { id: hospital.userId }, note: 'Patient transferred' },
      ],
    });
    // Inventory answered: the stock is free already; only the money waits.
    expect(holdsOf(order.id).map((h) => h?.status)).toEqual(['RELEASED', 'RELEASED']);
    expect(payment.status).toBe('AUTHORIZED');

    await t.app.services.recovery.runOnce();
    expect((await rowById(order.id)).settlement_pending).toBe(true);

    deps.heal();
    const report = await t.app.services.recovery.runOnce();
    expect(report.settled).toBeGreaterThanOrEqual(1);
    expect(payment.status).toBe('VOIDED');
    expect(deps.paymentKeys.get(`order:${order.id}:void`)).toEqual({
      step: 'voidPayment',
      paymentId: payment.id,
    });
    const seen = await ok<{ order: OrderView }>(hospital, ORDER, { id: order.id });
    expect(seen.order).toMatchObject({ status: 'CANCELLED', settlementPending: false });
    expect(deps.callsOf('refundPayment').filter(([id]) => id === payment.id)).toEqual([]);

    const [event] = await t.sql<{ type: string; data: { reason: string } }>(
      `SELECT type, data FROM outbox_events WHERE data->>'orderId' = $1 AND type = 'order.cancelled'`,
      [order.id],
    );
    expect(event).toMatchObject({ data: { reason: 'Patient transferred' } });
  });

  test('cancelling a payment that was already captured refunds it instead', async () => {
    const order = await placed();
    await ok(vendor, CONFIRM, { id: order.id });
    const payment = deps.paymentOf(order.id)!;
    payment.status = 'CAPTURED';

    const { cancelOrder } = await ok<{ cancelOrder: OrderView }>(hospital, CANCEL, {
      id: order.id,
      reason: 'Ordered twice',
    });
    expect(cancelOrder).toMatchObject({ status: 'CANCELLED', settlementPending: false });
    expect(deps.callsOf('voidPayment')).toContainEqual([payment.id, `order:${order.id}:void`]);
    expect(deps.callsOf('refundPayment')).toContainEqual([
      payment.id,
      { amountMinor: 6300, currency: 'USD' },
      expect.stringContaining(order.number),
      `order:${order.id}:refund`,
    ]);
    expect(payment.status).toBe('REFUNDED');
  });

  test('a rejection releases the stock and voids the payment', async () => {
    const order = await placed();
    const { rejectOrder } = await ok<{ rejectOrder: OrderView }>(vendor, REJECT, {
      id: order.id,
      reason: 'No driver today',
    });
    expect(rejectOrder).toMatchObject({ status: 'REJECTED', settlementPending: false });
    expect(holdsOf(order.id).map((h) => h?.status)).toEqual(['RELEASED', 'RELEASED']);
    expect(deps.paymentOf(order.id)!.status).toBe('VOIDED');
  });

  async function dispatched() {
    const order = await placed();
    await ok(vendor, CONFIRM, { id: order.id });
    await ok(vendor, DISPATCH, { id: order.id, driverId: driver.userId });
    return order;
  }

  test('confirmDelivery commits every line and captures with the order key', async () => {
    const order = await dispatched();
    const { confirmDelivery } = await ok<{ confirmDelivery: OrderView }>(driver, CONFIRM_DELIVERY, {
      id: order.id,
      proof,
    });

    expect(confirmDelivery).toMatchObject({
      status: 'DELIVERED',
      settlementPending: false,
      delivery: { driver: { id: driver.userId }, status: 'DELIVERED' },
    });
    expect(confirmDelivery.statusHistory.map((h) => [h.status, h.actor?.id])).toEqual([
      ['PLACED', hospital.userId],
      ['CONFIRMED', vendor.userId],
      ['DISPATCHED', vendor.userId],
      ['DELIVERED', driver.userId],
    ]);
    const holds = holdsOf(order.id);
    expect(holds.map((h) => h?.status)).toEqual(['COMMITTED', 'COMMITTED']);
    for (const hold of holds) expect(deps.callsOf('commitReservation')).toContainEqual([hold!.id]);
    const payment = deps.paymentOf(order.id)!;
    expect(deps.callsOf('capturePayment')).toContainEqual([payment.id, `order:${order.id}:capture`]);
    expect(payment.status).toBe('CAPTURED');
  });

  test('a capture that fails at delivery is retried by recovery under the same key', async () => {
    const order = await dispatched();
    const payment = deps.paymentOf(order.id)!;
    deps.fail('capturePayment', 'SERVICE_UNAVAILABLE');
    const { confirmDelivery } = await ok<{ confirmDelivery: OrderView }>(hospital, CONFIRM_DELIVERY, {
      id: order.id,
      proof,
    });
    expect(confirmDelivery).toMatchObject({ status: 'DELIVERED', settlementPending: true });
    expect(payment.status).toBe('AUTHORIZED');

    deps.heal();
    await t.app.services.recovery.runOnce();
    expect(payment.status).toBe('CAPTURED');
    expect(deps.callsOf('capturePayment').filter(([id]) => id === payment.id)).toEqual([
      [payment.id, `order:${order.id}:capture`],
      [payment.id, `order:${order.id}:capture`],
    ]);
    expect((await rowById(order.id)).settlement_pending).toBe(false);
  });
});

describe('idempotency', () => {
  test('the same key and input return the same order, with one set of dependency calls', async () => {
    const key = newKey();
    const steps = recordSteps();
    const first = await placed(key);
    const again = await placed(key);

    expect(again.id).toBe(first.id);
    expect(again.number).toBe(first.number);
    expect(steps()).toEqual([
      'offers',
      'offers',
      'grantSiteAccess',
      'reserve',
      'reserve',
      'authorizePayment',
    ]);
    expect(await t.sql(`SELECT id FROM orders WHERE idempotency_key = $1`, [key])).toHaveLength(1);

    const reused = await place(key, orderInput({ items: [{ productId: oxygen, quantity: 3 }] }));
    expect(reused.errors?.[0]?.extensions).toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      field: 'idempotencyKey',
    });
    expect(steps()).toHaveLength(6);
  });

  test('copies arriving while the first still runs wait for it and get the same order', async () => {
    const gate = deps.hang('authorizePayment');
    const key = newKey();
    const steps = recordSteps();
    const copies = Array.from({ length: 5 }, () => place(key));
    await gate.reached;
    await sleep(200);
    gate.release();

    const results = await Promise.all(copies);
    for (const result of results) expect(result.errors).toBeUndefined();
    expect(new Set(results.map((r) => r.data!.placeOrder.id)).size).toBe(1);
    expect(steps().filter((s) => s === 'authorizePayment')).toHaveLength(1);
    expect(steps().filter((s) => s === 'reserve')).toHaveLength(2);
  });

  test('keys are per hospital: another hospital may use the same key', async () => {
    const key = newKey();
    const other = newViewer('HOSPITAL', 'HOSPITAL_STAFF');
    const mine = await placed(key);
    const theirs = await placed(key, orderInput(), other);
    expect(theirs.id).not.toBe(mine.id);
    expect(theirs.hospital.id).toBe(other.organizationId);
  });
});

describe('orders list', () => {
  const LIST = `query ($first: Int!) { orders(first: $first) { totalCount edges { node {
    id items { quantity product { id } unitPrice { amountMinor } } statusHistory { status actor { id } } } } } }`;
  interface List {
    orders: {
      totalCount: number;
      edges: { node: { id: string; items: unknown[]; statusHistory: unknown[] } }[];
    };
  }

  test('a page of 8 with items and history costs the same statements as a page of 2', async () => {
    const buyer = newViewer('HOSPITAL', 'HOSPITAL_STAFF');
    for (let i = 0; i < 8; i++) await placed(newKey('list'), orderInput(), buyer);

    const statementsFor = async (first: number) => {
      t.statements.length = 0;
      const { orders } = await ok<List>(buyer, LIST, { first });
      const count = t.statements.length;
      expect(orders.totalCount).toBe(8);
      expect(orders.edges).toHaveLength(first);
      for (const { node } of orders.edges) {
        expect(node.items).toHaveLength(2);
        expect(node.statusHistory).toHaveLength(1);
      }
      return count;
    };
    const two = await statementsFor(2);
    const eight = await statementsFor(8);
    expect(two).toBeGreaterThan(0);
    expect(eight).toBe(two);
  });
});
