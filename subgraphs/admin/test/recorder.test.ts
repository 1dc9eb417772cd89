import { randomUUID } from 'node:crypto';
import { createLogger } from '@flow/core';
import type { DomainEventHandler } from '@flow/messaging';
import { MalformedEventError } from '../src/services/projections';
import { rebuildProjections } from '../src/services/rebuild';
import {
  at,
  createAdminTestEnvironment,
  newOrder,
  orderEvent,
  placementFailedEvent,
  stockLowEvent,
  type AdminTestEnvironment,
  type TestEvent,
} from './support';

let t: AdminTestEnvironment;
const hospital = randomUUID();
const vendor = randomUUID();
const start = new Date('2026-11-02T08:00:00.000Z');

beforeAll(async () => {
  t = await createAdminTestEnvironment();
});
afterAll(() => t.stop());

const count = async (table: string, where = 'true', values: unknown[] = []) =>
  (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, values))[0]!.n;
const auditRows = () => t.sql<unknown>('SELECT to_jsonb(a) AS row FROM audit_events a ORDER BY id');

/** An order's life as its events: placed, confirmed, dispatched, delivered `minutes` after. */
function deliveredOrder(minutes: number): TestEvent[] {
  const order = newOrder(hospital, vendor);
  return [
    orderEvent('order.placed', order, start),
    orderEvent('order.confirmed', order, at(start, 1)),
    orderEvent('order.dispatched', order, at(start, 2)),
    orderEvent('order.delivered', order, at(start, minutes)),
  ];
}

test('the recorder is a platform DomainEventHandler, usable unbound', async () => {
  const handler: DomainEventHandler = t.app.services.recorder.handle;
  const event = stockLowEvent(vendor, start);
  await handler(event);
  expect(
    await t.sql(
      'SELECT type, source, actor, organization_ids::text[] AS orgs FROM audit_events WHERE id = $1::uuid',
      [event.id],
    ),
  ).toEqual([{ type: 'stock.low', source: 'inventory', actor: null, orgs: [vendor] }]);
});

test('an event goes into the log and its projection in one transaction; a redelivery changes nothing', async () => {
  const [placed] = deliveredOrder(30);
  expect(await t.app.services.recorder.record(placed!)).toEqual({ kind: 'recorded', projections: 1 });
  const log = await auditRows();
  const projections = await t.projections();

  expect(await t.app.services.recorder.record(placed!)).toEqual({ kind: 'duplicate' });
  // Even a copy whose envelope differs (a relay republishing it later) is the same event.
  await t.app.services.recorder.handle({ ...placed!, occurredAt: new Date().toISOString() });
  expect(await auditRows()).toEqual(log);
  expect(await t.projections()).toEqual(projections);
});

test('concurrent deliveries of one event record it once', async () => {
  const failed = placementFailedEvent(hospital, start);
  const outcomes = await Promise.all(
    Array.from({ length: 8 }, () => t.app.services.recorder.record(structuredClone(failed))),
  );
  expect(outcomes.filter((o) => o.kind === 'recorded')).toHaveLength(1);
  expect(await count('audit_events', 'id = $1::uuid', [failed.id])).toBe(1);
  expect(await count('placement_failures', 'event_id = $1::uuid', [failed.id])).toBe(1);
});

test('the same events in any order make the same order row', async () => {
  const events = deliveredOrder(45);
  const orderId = events[0]!.data.orderId as string;
  for (const event of [...events].reverse()) await t.app.services.recorder.handle(event);
  expect(
    await t.sql(
      'SELECT status, status_rank, total_minor, placed_at, delivered_at FROM order_facts WHERE order_id = $1::uuid',
      [orderId],
    ),
  ).toEqual([
    {
      status: 'DELIVERED',
      status_rank: 4,
      total_minor: 12_500,
      placed_at: start,
      delivered_at: at(start, 45),
    },
  ]);
});

test('a type this build does not know is logged, counted for nothing, and kept for a later rebuild', async () => {
  const event = { ...stockLowEvent(vendor, start), type: 'vendor.certified', data: { level: 5 } };
  expect(await t.app.services.recorder.record(event)).toEqual({ kind: 'recorded', projections: 0 });
  expect(await count('audit_events', 'id = $1::uuid', [event.id])).toBe(1);
});

test('a malformed event throws a permanent error and records nothing, so a fixed copy still counts', async () => {
  const [placed] = deliveredOrder(10);
  const broken = { ...placed!, data: { ...placed!.data, vendorOrganizationId: 'nobody' } };
  await expect(t.app.services.recorder.handle(broken)).rejects.toThrow(MalformedEventError);
  await expect(t.app.services.recorder.handle(broken)).rejects.toThrow(
    /data.vendorOrganizationId is not a uuid/,
  );
  await expect(t.app.services.recorder.handle({ ...placed!, organizationIds: ['x'] })).rejects.toThrow(
    MalformedEventError,
  );
  expect(await count('audit_events', 'id = $1::uuid', [placed!.id])).toBe(0);
  await t.app.services.recorder.handle(placed!);
  expect(await count('audit_events', 'id = $1::uuid', [placed!.id])).toBe(1);
});

test('a rebuild from the audit log makes every projection row exactly as the live events did', async () => {
  const rejected = newOrder(hospital, vendor);
  const events = [
    ...deliveredOrder(50),
    ...deliveredOrder(70),
    orderEvent('order.placed', rejected, at(start, 5)),
    orderEvent('order.rejected', rejected, at(start, 6), { reason: 'No driver today' }),
    placementFailedEvent(hospital, at(start, 7)),
  ];
  // Live, out of order and some twice: what the broker may do.
  for (const event of [...events.slice(3), ...events.slice(0, 3), events[1]!])
    await t.app.services.recorder.handle(event);
  const live = await t.projections();
  expect(live.order_facts!.length).toBeGreaterThanOrEqual(3);

  const report = await rebuildProjections(t.app.prisma, createLogger('admin', 'silent'));
  expect(report).toEqual({ events: await count('audit_events'), skipped: 0 });
  expect(await t.projections()).toEqual(live);
});

test('events recorded while a rebuild runs are neither lost nor counted twice', async () => {
  const events = Array.from({ length: 6 }, (_, i) => deliveredOrder(20 + i)).flat();
  const logger = createLogger('admin', 'silent');
  await Promise.all([
    rebuildProjections(t.app.prisma, logger),
    ...events.map((event) => t.app.services.recorder.handle(event)),
    rebuildProjections(t.app.prisma, logger),
  ]);
  const live = await t.projections();
  for (const event of events.filter((e) => e.type === 'order.delivered'))
    expect(
      await count('order_facts', "order_id = $1::uuid AND status = 'DELIVERED'", [event.data.orderId]),
    ).toBe(1);
  await rebuildProjections(t.app.prisma, logger);
  expect(await t.projections()).toEqual(live);
});
