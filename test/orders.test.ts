import { createTestEnvironment, type PlatformTestEnvironment } from './environment';
import { ok, platformAdmin, registerOrganization } from './support/actors';
import {
  CANCEL,
  CONFIRM,
  DELIVER,
  DISPATCH,
  REJECT,
  REPORT,
  codeOf,
  key,
  orderClient,
  until,
} from './support/orders';
import {
  orderInput,
  PLACE_ORDER,
  productIds,
  setUpHospital,
  setUpVendor,
  stockOf,
  type Hospital,
  type PlacedOrder,
  type Vendor,
} from './support/ordering';

// The order-to-delivery workflow through the router, with every subgraph as a real process.
let t: PlatformTestEnvironment;
let adminToken: string;
let products: string[];

beforeAll(async () => {
  // A 10 s deadline between subgraphs: 50 placements at once on a 2-core CI machine that also
  // runs the test runner queue up for seconds, and a timed-out call would be SERVICE_UNAVAILABLE.
  t = await createTestEnvironment({ DEPENDENCY_TIMEOUT_MS: '10000' });
  adminToken = await platformAdmin(t.gql);
  products = await productIds(t.gql, adminToken, 2);
}, 120_000);
afterAll(() => t?.stop());

const { place, placed, read, mutate, sql } = orderClient(() => t);

describe('the whole workflow', () => {
  let vendor: Vendor;
  let hospital: Hospital;

  beforeAll(async () => {
    vendor = await setUpVendor(t.gql, adminToken, { productIds: products, onHand: 40, unitPrice: 4_500 });
    hospital = await setUpHospital(t.gql);
  });

  it('goes from placeOrder to DELIVERED with the payment captured and the stock committed', async () => {
    const before = await Promise.all(products.map((p) => stockOf(t.gql, vendor, p)));
    const offers = await ok<{ compareOffers: { vendor: { id: string }; total: { amountMinor: number } }[] }>(
      t.gql,
      hospital.admin.token,
      'query ($p: ID!, $s: ID!) { compareOffers(productId: $p, quantity: 3, siteId: $s, priority: URGENT) { vendor { id } total { amountMinor } } }',
      { p: products[0], s: hospital.siteId },
    );
    const offer = offers.compareOffers.find((o) => o.vendor.id === vendor.admin.organizationId)!;

    const order = await placed(
      hospital,
      orderInput(hospital, [{ productId: products[0]!, quantity: 3 }], {
        vendorId: vendor.admin.organizationId,
      }),
    );
    expect(order).toMatchObject({ status: 'PLACED', vendor: { id: vendor.admin.organizationId } });
    expect(order.number).toMatch(/^ORD-\d{4}-\d{6}$/);
    // The price fixed at placement is the landed total pricing offered for the same basket.
    expect(order.total.amountMinor).toBe(offer.total.amountMinor);
    expect(order.items[0]).toMatchObject({
      quantity: 3,
      unitPrice: { amountMinor: 4_500 },
      lineTotal: { amountMinor: 13_500 },
    });
    expect(order.payment).toMatchObject({
      status: 'AUTHORIZED',
      method: 'CARD',
      amount: { amountMinor: order.total.amountMinor },
    });
    expect(await stockOf(t.gql, vendor, products[0]!)).toEqual({
      onHand: before[0]!.onHand,
      reserved: before[0]!.reserved + 3,
      available: before[0]!.available - 3,
    });

    // The vendor sees it in its list and can now see the hospital's site (granted at placement).
    const list = await ok<{ orders: { totalCount: number; edges: { node: { id: string } }[] } }>(
      t.gql,
      vendor.admin.token,
      '{ orders(filter: { status: PLACED }) { totalCount edges { node { id } } } }',
    );
    expect(list.orders.edges.map((e) => e.node.id)).toContain(order.id);
    expect((await read(vendor.admin.token, order.id))?.site.name).toBe('Main campus');
    // The driver sees nothing until the order is theirs.
    expect(await read(vendor.driver.token, order.id)).toBeNull();

    expect((await mutate(vendor.admin.token, CONFIRM, { id: order.id })).data?.confirmOrder?.status).toBe(
      'CONFIRMED',
    );
    const dispatched = await mutate(vendor.admin.token, DISPATCH, {
      id: order.id,
      driver: vendor.driver.userId,
    });
    expect(dispatched.data?.dispatchOrder?.status).toBe('DISPATCHED');
    const onTheRoad = await read(vendor.driver.token, order.id);
    expect(onTheRoad?.delivery).toMatchObject({
      driver: { id: vendor.driver.userId },
      status: 'IN_TRANSIT',
      lastPosition: null,
    });
    expect(onTheRoad?.delivery?.etaMinutes).toBeGreaterThan(0);

    const report = await ok<{
      reportDeliveryPosition: {
        lat: number;
        etaMinutes: number;
        distanceRemainingKm: number;
        position: { lat: number };
      };
    }>(t.gql, vendor.driver.token, REPORT, { id: order.id, lat: -1.25, lng: 36.86 });
    expect(report.reportDeliveryPosition).toMatchObject({ lat: -1.25, position: { lat: -1.25 } });
    expect(report.reportDeliveryPosition.distanceRemainingKm).toBeGreaterThan(0);
    expect(report.reportDeliveryPosition.distanceRemainingKm).toBeLessThan(
      onTheRoad!.delivery!.distanceRemainingKm!,
    );
    const tracked = await read(hospital.admin.token, order.id);
    expect(tracked?.delivery?.lastPosition).toMatchObject({
      lat: -1.25,
      lng: 36.86,
      etaMinutes: report.reportDeliveryPosition.etaMinutes,
    });

    const delivered = await mutate(vendor.driver.token, DELIVER, { id: order.id });
    expect(delivered.data?.confirmDelivery).toEqual({ status: 'DELIVERED', settlementPending: false });

    const final = await read(hospital.admin.token, order.id);
    expect(final?.payment).toEqual({
      status: 'CAPTURED',
      capturedAmount: { amountMinor: order.total.amountMinor },
    });
    expect(final?.delivery).toMatchObject({
      status: 'DELIVERED',
      etaMinutes: 0,
      proof: { receivedBy: 'Ward 4 nurse', deliveredSerials: ['CYL-1', 'CYL-2'] },
    });
    expect(final?.statusHistory.map((h) => [h.status, h.actor?.id])).toEqual([
      ['PLACED', hospital.admin.userId],
      ['CONFIRMED', vendor.admin.userId],
      ['DISPATCHED', vendor.admin.userId],
      ['DELIVERED', vendor.driver.userId],
    ]);
    // Committed: on hand and reserved both dropped by 3.
    expect(await stockOf(t.gql, vendor, products[0]!)).toEqual({
      onHand: before[0]!.onHand - 3,
      reserved: before[0]!.reserved,
      available: before[0]!.available - 3,
    });
  });

  it('rejects and cancels: stock released, payment voided (an invoice voided too)', async () => {
    const before = await stockOf(t.gql, vendor, products[1]!);
    const card = await placed(hospital, orderInput(hospital, [{ productId: products[1]!, quantity: 2 }]));
    const invoiced = await placed(
      hospital,
      orderInput(hospital, [{ productId: products[1]!, quantity: 1 }], {
        payment: { method: 'INVOICE', purchaseOrderNumber: 'PO-7781' },
      }),
    );
    expect(invoiced.payment).toMatchObject({ status: 'INVOICED', method: 'INVOICE' });
    expect((await stockOf(t.gql, vendor, products[1]!)).reserved).toBe(before.reserved + 3);

    const rejected = await mutate(vendor.admin.token, REJECT, { id: card.id });
    expect(rejected.data?.rejectOrder).toEqual({ status: 'REJECTED', settlementPending: false });
    await mutate(vendor.admin.token, CONFIRM, { id: invoiced.id });
    const cancelled = await mutate(hospital.admin.token, CANCEL, { id: invoiced.id });
    expect(cancelled.data?.cancelOrder).toEqual({ status: 'CANCELLED', settlementPending: false });

    expect((await read(hospital.admin.token, card.id))?.payment?.status).toBe('VOIDED');
    expect((await read(hospital.admin.token, invoiced.id))?.payment?.status).toBe('VOIDED');
    const [invoice] = await sql<{ status: string }>(
      'payments',
      'SELECT status FROM invoices WHERE payment_id = $1',
      [invoiced.payment!.id],
    );
    expect(invoice?.status).toBe('VOID');
    expect(await stockOf(t.gql, vendor, products[1]!)).toEqual(before);
    expect((await read(hospital.admin.token, card.id))?.closeReason).toBe('No driver today');
  });
});

describe('stock under concurrency and idempotency', () => {
  it('50 concurrent orders for 10 units: 10 placed, 40 OUT_OF_STOCK, no negative stock, no payment for a failed order', async () => {
    const [product] = products;
    const vendor = await setUpVendor(t.gql, adminToken, {
      productIds: [product!],
      onHand: 10,
      unitPrice: 5_000,
    });
    const hospital = await setUpHospital(t.gql);
    const input = orderInput(hospital, [{ productId: product!, quantity: 1 }], {
      vendorId: vendor.admin.organizationId,
    });

    const results = await Promise.all(Array.from({ length: 50 }, () => place(hospital, input)));
    const placedOrders = results.filter((r) => r.data?.placeOrder).map((r) => r.data!.placeOrder);
    const outcomes: Record<string, number> = {};
    for (const r of results) {
      const service = r.errors?.[0]?.extensions?.service;
      const outcome = r.data?.placeOrder
        ? 'PLACED'
        : `${String(codeOf(r))}${service ? ` from ${String(service)}` : ''}`;
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    expect(
      Object.entries(outcomes)
        .map(([outcome, n]) => `${n} ${outcome}`)
        .sort(),
    ).toEqual(['10 PLACED', '40 OUT_OF_STOCK']);
    expect(await stockOf(t.gql, vendor, product!)).toEqual({ onHand: 10, reserved: 10, available: 0 });

    const negative = await sql<{ n: number }>(
      'inventory',
      'SELECT count(*)::int AS n FROM stock_levels WHERE on_hand - reserved < 0',
    );
    expect(negative[0]!.n).toBe(0);
    const held = await sql<{ n: number }>(
      'inventory',
      "SELECT count(*)::int AS n FROM reservations WHERE depot_id = $1 AND status = 'HELD'",
      [vendor.depotId],
    );
    expect(held[0]!.n).toBe(10);
    // Payments: exactly one live authorisation per placed order and none for any other order.
    const payments = await sql<{ order_id: string; status: string }>(
      'payments',
      'SELECT order_id, status FROM payments WHERE payee_organization_id = $1',
      [vendor.admin.organizationId],
    );
    expect(payments.map((p) => p.order_id).sort()).toEqual(placedOrders.map((o) => o.id).sort());
    expect(payments.every((p) => p.status === 'AUTHORIZED')).toBe(true);
    // And no failed placement holds anything.
    const failed = await sql<{ n: number }>(
      'orders',
      "SELECT count(*)::int AS n FROM orders WHERE vendor_organization_id = $1 AND (status = 'PENDING' OR compensation_pending)",
      [vendor.admin.organizationId],
    );
    expect(failed[0]!.n).toBe(0);
  });

  it('20 concurrent identical placeOrder calls with one key: one order, one reservation, one payment', async () => {
    const [product] = products;
    const vendor = await setUpVendor(t.gql, adminToken, {
      productIds: [product!],
      onHand: 50,
      unitPrice: 5_000,
    });
    const hospital = await setUpHospital(t.gql);
    const input = orderInput(hospital, [{ productId: product!, quantity: 2 }], {
      vendorId: vendor.admin.organizationId,
    });
    const shared = key('same');

    const results = await Promise.all(Array.from({ length: 20 }, () => place(hospital, input, shared)));
    expect(results.map((r) => r.errors)).toEqual(Array(20).fill(undefined));
    const ids = new Set(results.map((r) => r.data!.placeOrder.id));
    expect(ids.size).toBe(1);
    const [orderId] = [...ids];

    const orders = await sql('orders', 'SELECT id FROM orders WHERE hospital_organization_id = $1', [
      hospital.admin.organizationId,
    ]);
    expect(orders).toHaveLength(1);
    const reservations = await sql('inventory', 'SELECT id FROM reservations WHERE reference LIKE $1', [
      `order:${orderId}:%`,
    ]);
    expect(reservations).toHaveLength(1);
    const payments = await sql('payments', 'SELECT id FROM payments WHERE order_id = $1', [orderId]);
    expect(payments).toHaveLength(1);
    expect(await stockOf(t.gql, vendor, product!)).toMatchObject({ reserved: 2 });

    // The same key with another input is refused and changes nothing.
    const reused = await place(hospital, { ...input, notes: 'something else' }, shared);
    expect(codeOf(reused)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await stockOf(t.gql, vendor, product!)).toMatchObject({ reserved: 2 });
  });
});

describe('the status machine and tenancy', () => {
  let vendor: Vendor;
  let hospital: Hospital;
  let order: PlacedOrder;

  beforeAll(async () => {
    vendor = await setUpVendor(t.gql, adminToken, {
      productIds: [products[0]!],
      onHand: 20,
      unitPrice: 4_000,
    });
    hospital = await setUpHospital(t.gql);
    order = await placed(
      hospital,
      orderInput(hospital, [{ productId: products[0]!, quantity: 1 }], {
        vendorId: vendor.admin.organizationId,
      }),
    );
  });

  it('delivering a PLACED order is CONFLICT, and changes nothing', async () => {
    const result = await mutate(vendor.driver.token, DELIVER, { id: order.id });
    // The driver is not assigned yet: for them the order does not exist.
    expect(codeOf(result)).toBe('NOT_FOUND');
    const byHospital = await mutate(hospital.admin.token, DELIVER, { id: order.id });
    expect(codeOf(byHospital)).toBe('CONFLICT');
    expect(byHospital.errors?.[0]?.extensions).toMatchObject({ status: 'PLACED', attempted: 'DELIVERED' });
    expect((await read(hospital.admin.token, order.id))?.status).toBe('PLACED');
  });

  it('cancelling a DISPATCHED order is CONFLICT; a hospital cannot confirm; vendors cannot cancel', async () => {
    expect(codeOf(await mutate(hospital.admin.token, CONFIRM, { id: order.id }))).toBe('FORBIDDEN');
    expect(codeOf(await mutate(vendor.admin.token, CANCEL, { id: order.id }))).toBe('FORBIDDEN');
    await mutate(vendor.admin.token, CONFIRM, { id: order.id });
    await mutate(vendor.admin.token, DISPATCH, { id: order.id, driver: vendor.driver.userId });
    const cancelled = await mutate(hospital.admin.token, CANCEL, { id: order.id });
    expect(codeOf(cancelled)).toBe('CONFLICT');
    expect(cancelled.errors?.[0]?.extensions).toMatchObject({ status: 'DISPATCHED', attempted: 'CANCELLED' });
    const view = await read(hospital.admin.token, order.id);
    expect(view).toMatchObject({ status: 'DISPATCHED', payment: { status: 'AUTHORIZED' } });
  });

  it('another hospital, another vendor and another driver get NOT_FOUND, with no hint', async () => {
    const stranger = await registerOrganization(t.gql, 'HOSPITAL');
    const otherVendor = await setUpVendor(t.gql, adminToken, { productIds: [], onHand: 0, unitPrice: 1 });
    for (const token of [stranger.token, otherVendor.admin.token, otherVendor.driver.token]) {
      expect(await read(token, order.id)).toBeNull();
      const cancel = await mutate(token, CANCEL, { id: order.id });
      expect(codeOf(cancel)).toBe('NOT_FOUND');
      const missing = await mutate(token, CANCEL, { id: '00000000-0000-4000-8000-000000000000' });
      expect(cancel.errors?.[0]?.message).toBe(
        missing.errors?.[0]?.message.replace('00000000-0000-4000-8000-000000000000', order.id),
      );
      const list = await ok<{ orders: { totalCount: number } }>(t.gql, token, '{ orders { totalCount } }');
      expect(list.orders.totalCount).toBe(0);
    }
    // A driver of the right vendor who is not assigned to it sees nothing either.
    const admin = await read(adminToken, order.id);
    expect(admin?.status).toBe('DISPATCHED');
  });

  it('refuses bad input naming the field, and places nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [orderInput(hospital, [{ productId: products[0]!, quantity: 0 }]), 'input.items.0.quantity'],
      [orderInput(hospital, []), 'input.items'],
      [orderInput(hospital, [{ productId: 'nope', quantity: 1 }]), 'input.items.0.productId'],
      [
        orderInput(hospital, [{ productId: products[0]!, quantity: 1 }], { payment: { method: 'CARD' } }),
        'input.payment.cardToken',
      ],
      [
        orderInput(hospital, [{ productId: products[0]!, quantity: 1 }], { payment: { method: 'INVOICE' } }),
        'input.payment.purchaseOrderNumber',
      ],
    ];
    const count = async () =>
      (
        await sql<{ n: number }>(
          'orders',
          'SELECT count(*)::int AS n FROM orders WHERE hospital_organization_id = $1',
          [hospital.admin.organizationId],
        )
      )[0]!.n;
    const before = await count();
    for (const [input, field] of cases) {
      const result = await place(hospital, input);
      expect([codeOf(result), result.errors?.[0]?.extensions?.field]).toEqual(['BAD_USER_INPUT', field]);
    }
    expect(
      codeOf(await place(hospital, orderInput(hospital, [{ productId: products[0]!, quantity: 1 }]), '')),
    ).toBe('BAD_USER_INPUT');
    // A vendor cannot place orders.
    const byVendor = await t.gql({
      query: PLACE_ORDER,
      variables: { input: orderInput(hospital, [{ productId: products[0]!, quantity: 1 }]), key: key('v') },
      token: vendor.admin.token,
    });
    expect(codeOf(byVendor)).toBe('FORBIDDEN');
    expect(await count()).toBe(before);
  });
});

describe('lists cost a constant number of statements', () => {
  it('orders with items, products, site, vendor and payment: the same SQL per subgraph for 2 and for 6 orders', async () => {
    const vendor = await setUpVendor(t.gql, adminToken, {
      productIds: products,
      onHand: 100,
      unitPrice: 3_000,
    });
    const hospital = await setUpHospital(t.gql);
    const LIST = `query ($first: Int) { orders(first: $first) { totalCount edges { node {
      number status site { name } depot { name } vendor { name } hospital { name } placedBy { name }
      items { product { name sku } quantity lineTotal { amountMinor } }
      statusHistory { status actor { name } }
      payment { status amount { amountMinor } }
    } } } }`;
    const subgraphs = ['orders', 'users', 'locations', 'inventory', 'payments'];
    const measure = async (first: number) => {
      const before = await Promise.all(subgraphs.map((s) => t.statements(s)));
      const data = await ok<{ orders: { edges: unknown[] } }>(t.gql, hospital.admin.token, LIST, { first });
      const after = await Promise.all(subgraphs.map((s) => t.statements(s)));
      return { rows: data.orders.edges.length, statements: after.map((n, i) => n - before[i]!) };
    };
    for (let i = 0; i < 6; i++) {
      await placed(
        hospital,
        orderInput(
          hospital,
          products.map((productId) => ({ productId, quantity: 1 })),
          { vendorId: vendor.admin.organizationId },
        ),
      );
    }
    // payments keeps a row per order from the order events (who drives it): let those writes land
    // before counting, or they fall into a measurement.
    await until(async () => {
      const [outbox] = await t.sql<{ n: number }>(
        'orders',
        'SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NULL',
      );
      const [orders] = await t.sql<{ n: number }>(
        'orders',
        "SELECT count(DISTINCT data->>'orderId')::int AS n FROM outbox_events WHERE type LIKE 'order.%'",
      );
      const [known] = await t.sql<{ n: number }>('payments', 'SELECT count(*)::int AS n FROM order_drivers');
      return outbox!.n === 0 && known!.n >= orders!.n;
    }, 'the order events applied by payments');
    // The first view teaches orders its parties' names (asked of users and locations once): a
    // one-time cost, not one of the list's size.
    await measure(6);
    const two = await measure(2);
    const six = await measure(6);
    expect([two.rows, six.rows]).toEqual([2, 6]);
    expect(six.statements).toEqual(two.statements);
  });
});

describe('what an order line records', () => {
  it('names each line’s product from the order itself: the router does not ask inventory', async () => {
    const { hospital, order } = await placedWithEveryProduct();
    const catalog = await ok<{ products: { edges: { node: { id: string; name: string; sku: string } }[] } }>(
      t.gql,
      hospital.admin.token,
      '{ products(first: 100) { edges { node { id name sku } } } }',
    );
    const before = await routerCallsTo('inventory');
    const detail = await ok<{ order: { items: { product: { id: string; name: string; sku: string } }[] } }>(
      t.gql,
      hospital.admin.token,
      'query ($id: ID!) { order(id: $id) { items { product { id name sku } quantity } } }',
      { id: order.id },
    );
    expect(await routerCallsTo('inventory')).toBe(before);
    expect(detail.order.items.map((item) => item.product)).toEqual(
      products.map((id) => catalog.products.edges.find((edge) => edge.node.id === id)!.node),
    );
  });
});

describe('what an order names', () => {
  it('names its hospital, vendor, site and depot itself once it has learned them: the router asks neither users nor locations', async () => {
    const { hospital, vendor, order } = await placedWithEveryProduct();
    const DETAIL =
      'query ($id: ID!) { order(id: $id) { hospital { id name } vendor { id name } site { id name } depot { id name } } }';
    type Named = { id: string; name: string };
    type Detail = { order: { hospital: Named; vendor: Named; site: Named; depot: Named } };
    const calls = async () => [await routerCallsTo('users'), await routerCallsTo('locations')];
    const before = await calls();
    // The first view of each viewer may teach orders the names (orders asks users and locations
    // itself); every view after it asks them nothing, through the router or from orders.
    const views = [];
    for (const viewer of [hospital.admin, vendor.admin, hospital.admin, vendor.admin])
      views.push(await ok<Detail>(t.gql, viewer.token, DETAIL, { id: order.id }));
    expect(await calls()).toEqual(before);
    const learned = await t.statements('users');
    await ok<Detail>(t.gql, hospital.admin.token, DETAIL, { id: order.id });
    expect(await t.statements('users')).toBe(learned);

    // The names are the owners' own.
    const owners = await ok<{ h: Named; v: Named; s: Named; d: Named }>(
      t.gql,
      hospital.admin.token,
      'query ($h: ID!, $v: ID!, $s: ID!, $d: ID!) { h: organization(id: $h) { id name } v: organization(id: $v) { id name } s: site(id: $s) { id name } d: site(id: $d) { id name } }',
      {
        h: hospital.admin.organizationId,
        v: vendor.admin.organizationId,
        s: hospital.siteId,
        d: vendor.depotId,
      },
    );
    for (const view of views)
      expect(view.order).toEqual({ hospital: owners.h, vendor: owners.v, site: owners.s, depot: owners.d });
  });
});

/** A new hospital's order of one of each product from a new vendor. */
async function placedWithEveryProduct() {
  const vendor = await setUpVendor(t.gql, adminToken, { productIds: products, onHand: 20, unitPrice: 2_500 });
  const hospital = await setUpHospital(t.gql);
  const order = await placed(
    hospital,
    orderInput(
      hospital,
      products.map((productId) => ({ productId, quantity: 1 })),
      { vendorId: vendor.admin.organizationId },
    ),
  );
  return { vendor, hospital, order };
}

/** The router's calls to a subgraph so far (flow_router_subgraph_request_duration_seconds_count). */
async function routerCallsTo(subgraph: string): Promise<number> {
  const metrics = await (await fetch(new URL('/metrics', t.routerUrl))).text();
  return metrics
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('flow_router_subgraph_request_duration_seconds_count{') &&
        line.includes(`subgraph="${subgraph}"`),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}
