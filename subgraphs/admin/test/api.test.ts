import { randomUUID } from 'node:crypto';
import {
  at,
  AUDIT_LOG,
  createAdminTestEnvironment,
  newOrder,
  newViewer,
  orderEvent,
  placementFailedEvent,
  PLATFORM_STATS,
  stockLowEvent,
  type AdminTestEnvironment,
  type AuditPage,
  type OrderParties,
  type TestEvent,
  type TestViewer,
} from './support';

let t: AdminTestEnvironment;

const platformAdmin = newViewer('PLATFORM', 'PLATFORM_ADMIN');
const hospitalAdmin = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
const hospitalStaff = newViewer('HOSPITAL', 'HOSPITAL_STAFF', hospitalAdmin.organizationId);
const vendorA = newViewer('VENDOR', 'VENDOR_ADMIN');
const vendorB = newViewer('VENDOR', 'VENDOR_ADMIN');
const driverA = newViewer('VENDOR', 'DRIVER', vendorA.organizationId);
const vendorC = randomUUID();
const hospital = hospitalAdmin.organizationId;

// The window of the figures: one day. a1 is placed on its first instant (in), d1 on the instant
// after its last (out), b3 the hour before it (out, though delivered inside).
const from = new Date('2026-10-01T00:00:00.000Z');
const to = new Date('2026-10-02T00:00:00.000Z');

const events: TestEvent[] = [];
function life(order: OrderParties, placedAt: Date, steps: [string, number][] = []) {
  events.push(orderEvent('order.placed', order, placedAt));
  for (const [type, minutes] of steps) events.push(orderEvent(type, order, at(placedAt, minutes)));
}
const delivered = (minutes: number): [string, number][] => [
  ['order.confirmed', 1],
  ['order.dispatched', 2],
  ['order.delivered', minutes],
];

beforeAll(async () => {
  t = await createAdminTestEnvironment();
  const A = vendorA.organizationId;
  const B = vendorB.organizationId;
  life(newOrder(hospital, A, 10_000), from, delivered(60));
  life(newOrder(hospital, A, 20_000), at(from, 120), delivered(90));
  life(newOrder(hospital, A, 5_000), at(from, 130), [['order.rejected', 5]]);
  life(newOrder(hospital, B, 40_000), at(from, 140));
  life(newOrder(hospital, B, 7_000), at(from, 150), [['order.cancelled', 3]]);
  // Another currency: counted as an order, not in the gross merchandise value.
  const euro = newOrder(hospital, vendorC, 999);
  events.push(
    orderEvent('order.placed', euro, at(from, 160), { total: { amountMinor: 999, currency: 'EUR' } }),
  );
  life(newOrder(hospital, B, 1_000), at(from, -60), delivered(120));
  life(newOrder(hospital, A, 3_000), to);
  events.push(placementFailedEvent(hospital, at(from, 10)));
  events.push(placementFailedEvent(hospital, at(from, 20)));
  events.push(placementFailedEvent(hospital, at(from, 30), 'PAYMENT_DECLINED'));
  events.push(placementFailedEvent(hospital, at(from, -10)));
  events.push({ ...stockLowEvent(A, at(from, 40)), actor: 'service:inventory' });
  events.push({ ...stockLowEvent(B, at(from, 41)), actor: null });
  for (const event of events) await t.app.services.recorder.handle(event);
});
afterAll(() => t.stop());

async function as<Data>(viewer: TestViewer | null, query: string, variables: Record<string, unknown> = {}) {
  return t.gql<Data>({ query, variables, token: viewer ? await t.as(viewer) : undefined });
}
const errorOf = (response: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  response.errors?.[0]?.extensions;

const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' });

describe('platformStats', () => {
  test('the window [from, to): each figure exactly', async () => {
    const response = await as<{ platformStats: unknown }>(platformAdmin, PLATFORM_STATS, {
      from,
      to,
      top: 5,
    });
    expect(response.errors).toBeUndefined();
    expect(response.data!.platformStats).toEqual({
      ordersByStatus: [
        { status: 'CANCELLED', count: 1 },
        { status: 'DELIVERED', count: 2 },
        { status: 'PLACED', count: 2 },
        { status: 'REJECTED', count: 1 },
      ],
      grossMerchandiseValue: usd(70_000),
      averageDeliveryMinutes: 75,
      // 6 placed, 2 refused for stock (the declined payment is not a stock failure).
      fillRate: 0.75,
      topVendors: [
        { vendor: { id: vendorB.organizationId }, value: usd(40_000), orders: 2 },
        { vendor: { id: vendorA.organizationId }, value: usd(30_000), orders: 3 },
        { vendor: { id: vendorC }, value: usd(0), orders: 1 },
      ],
    });
  });

  test('without a window: everything up to now', async () => {
    const response = await as<{ platformStats: Record<string, unknown> }>(platformAdmin, PLATFORM_STATS, {
      top: 1,
    });
    expect(response.data!.platformStats).toMatchObject({
      grossMerchandiseValue: usd(74_000),
      averageDeliveryMinutes: 90,
      fillRate: 8 / 11,
      topVendors: [{ vendor: { id: vendorB.organizationId }, value: usd(41_000), orders: 3 }],
    });
  });

  test('an empty window has no rates', async () => {
    const response = await as<{ platformStats: Record<string, unknown> }>(platformAdmin, PLATFORM_STATS, {
      from: '2020-01-01T00:00:00Z',
      to: '2020-01-02T00:00:00Z',
    });
    expect(response.data!.platformStats).toEqual({
      ordersByStatus: [],
      grossMerchandiseValue: usd(0),
      averageDeliveryMinutes: null,
      fillRate: null,
      topVendors: [],
    });
  });

  test('platform admins only; anonymous is UNAUTHENTICATED', async () => {
    for (const viewer of [hospitalAdmin, hospitalStaff, vendorA, driverA])
      expect(errorOf(await as(viewer, PLATFORM_STATS))).toMatchObject({ code: 'FORBIDDEN' });
    expect(errorOf(await as(null, PLATFORM_STATS))).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  test('bad windows and sizes are BAD_USER_INPUT naming the argument', async () => {
    expect(errorOf(await as(platformAdmin, PLATFORM_STATS, { from: to, to: from }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'to',
    });
    for (const top of [0, 51])
      expect(errorOf(await as(platformAdmin, PLATFORM_STATS, { top }))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'first',
      });
  });

  test('costs the same statements however many orders and vendors there are', async () => {
    t.statements.length = 0;
    await as(platformAdmin, PLATFORM_STATS, { top: 50 });
    expect(t.statements).toHaveLength(4);
  });
});

describe('auditLog', () => {
  type Node = AuditPage['auditLog']['edges'][number]['node'];
  async function page(viewer: TestViewer, variables: Record<string, unknown> = {}) {
    const response = await as<AuditPage>(viewer, AUDIT_LOG, variables);
    expect(response.errors).toBeUndefined();
    return response.data!.auditLog;
  }
  async function all(viewer: TestViewer, filter?: Record<string, unknown>): Promise<Node[]> {
    const nodes: Node[] = [];
    let after: string | null = null;
    for (;;) {
      const connection = await page(viewer, { filter, first: 4, after });
      nodes.push(...connection.edges.map((e) => e.node));
      if (!connection.pageInfo.hasNextPage) return nodes;
      after = connection.pageInfo.endCursor;
    }
  }
  /** The events `keep` selects, newest first (by time, then id), as the log must list them. */
  const expected = (keep: (event: TestEvent) => boolean) =>
    events
      .filter(keep)
      .sort((a, b) => b.occurredAt.localeCompare(a.occurredAt) || b.id.localeCompare(a.id))
      .map((e) => e.id);
  const involves = (organizationId: string) => (event: TestEvent) =>
    event.organizationIds.includes(organizationId);

  test('a platform admin pages through every event, newest first, each once', async () => {
    const nodes = await all(platformAdmin);
    expect(nodes.map((n) => n.id)).toEqual(expected(() => true));
    expect((await page(platformAdmin, { first: 1 })).totalCount).toBe(events.length);
  });

  test('each event with its actor, time, organizations and data', async () => {
    const nodes = await all(platformAdmin, { type: 'stock.low' });
    const [system, service] = nodes;
    expect(system).toMatchObject({
      type: 'stock.low',
      source: 'inventory',
      actor: { kind: 'SYSTEM', id: null, user: null },
    });
    expect(service!.actor).toEqual({ kind: 'SERVICE', id: 'service:inventory', user: null });
    const placed = events.find((e) => e.type === 'order.placed')!;
    const [node] = await all(platformAdmin, { actorId: placed.actor });
    expect(node).toEqual({
      id: placed.id,
      type: 'order.placed',
      source: 'orders',
      occurredAt: placed.occurredAt,
      actor: { kind: 'USER', id: placed.actor, user: { id: placed.actor } },
      organizations: placed.organizationIds.map((id) => ({ id })),
      data: expect.any(String),
    });
    expect(JSON.parse(node!.data)).toMatchObject({
      orderId: placed.data.orderId,
      number: placed.data.number,
    });
  });

  test('filters: a type, a prefix, an organization, a time range', async () => {
    expect((await all(platformAdmin, { type: 'order.rejected' })).map((n) => n.id)).toEqual(
      expected((e) => e.type === 'order.rejected'),
    );
    expect((await all(platformAdmin, { type: 'order.*' })).map((n) => n.id)).toEqual(
      expected((e) => e.type.startsWith('order.')),
    );
    expect((await all(platformAdmin, { organizationId: vendorB.organizationId })).map((n) => n.id)).toEqual(
      expected(involves(vendorB.organizationId)),
    );
    expect((await all(platformAdmin, { from, to: at(from, 30) })).map((n) => n.id)).toEqual(
      expected((e) => e.occurredAt >= from.toISOString() && e.occurredAt < at(from, 30).toISOString()),
    );
  });

  test("an organization's admin sees exactly the events addressed to it", async () => {
    for (const admin of [vendorA, vendorB, hospitalAdmin])
      expect((await all(admin)).map((n) => n.id)).toEqual(expected(involves(admin.organizationId)));
  });

  test("a hostile organization admin cannot read another organization's trail", async () => {
    const other = await page(vendorA, { filter: { organizationId: vendorB.organizationId } });
    expect(other).toMatchObject({ totalCount: 0, edges: [] });
    // Events of B alone (its stock) are not reachable by any filter, type or time.
    const bOnly = events.filter(
      (e) => e.organizationIds.length === 1 && e.organizationIds[0] === vendorB.organizationId,
    );
    expect(bOnly.length).toBeGreaterThan(0);
    const seen = (await all(vendorA, { type: 'stock.*' })).map((n) => n.id);
    for (const event of bOnly) expect(seen).not.toContain(event.id);
  });

  test('staff, drivers and anonymous callers are refused', async () => {
    for (const viewer of [hospitalStaff, driverA])
      expect(errorOf(await as(viewer, AUDIT_LOG))).toMatchObject({ code: 'FORBIDDEN' });
    expect(errorOf(await as(null, AUDIT_LOG))).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  test.each([
    [{ first: 0 }, 'first'],
    [{ first: 101 }, 'first'],
    [{ after: 'bm90IGEgY3Vyc29y' }, 'after'],
    [{ after: Buffer.from(JSON.stringify(['2026-01-01T00:00:00Z', 'x'])).toString('base64url') }, 'after'],
    [{ filter: { type: "order.'; DROP" } }, 'filter.type'],
    [{ filter: { organizationId: 'nobody' } }, 'filter.organizationId'],
    [{ filter: { actorId: 'root' } }, 'filter.actorId'],
    [{ filter: { from: to, to: from } }, 'filter.to'],
  ])('%j is BAD_USER_INPUT on %s', async (variables, field) => {
    expect(errorOf(await as(platformAdmin, AUDIT_LOG, variables))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field,
    });
  });

  test('a page costs two statements (the page and the count), whatever its size', async () => {
    t.statements.length = 0;
    await page(platformAdmin, { first: 100 });
    expect(t.statements).toHaveLength(2);
  });
});
