import { randomUUID } from 'node:crypto';
import type { DomainEventHandler } from '@flow/messaging';
import { MalformedEventError } from '../src/services/rules';
import { LiveUpdates } from '../src/services/live-updates';
import { NotificationInbox } from '../src/services/inbox';
import {
  createNotificationsTestEnvironment,
  newOrder,
  orderEvent,
  organizationEvent,
  paymentFailedEvent,
  stockLowEvent,
  type NotificationsTestEnvironment,
} from './support';

let t: NotificationsTestEnvironment;
const hospital = randomUUID();
const vendor = randomUUID();

beforeAll(async () => {
  t = await createNotificationsTestEnvironment();
});
afterAll(() => t.stop());

interface Row {
  id: string;
  type: string;
  title: string;
  organization_id: string | null;
  user_id: string | null;
  order_id: string | null;
}

const rowsOf = (eventId: string) =>
  t.sql<Row>(
    `SELECT id::text, type::text, title, organization_id::text, user_id::text, order_id::text
       FROM notifications WHERE event_id = $1::uuid ORDER BY type`,
    [eventId],
  );
const processed = async (eventId: string) =>
  (
    await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM processed_events WHERE event_id = $1::uuid', [
      eventId,
    ])
  )[0]!.n;

/** Messages published on `topic` from now on. */
async function listen(topic: string) {
  const messages: unknown[] = [];
  const unsubscribe = await t.pubsub.subscribe(topic, (message) => messages.push(message));
  return { messages, unsubscribe };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('the inbox handler is a platform DomainEventHandler, usable unbound', async () => {
  const handler: DomainEventHandler = t.app.services.inbox.handle;
  const event = orderEvent('order.delivered', newOrder(hospital, vendor));
  await handler(event);
  expect(await rowsOf(event.id)).toEqual([
    expect.objectContaining({ type: 'ORDER_DELIVERED', organization_id: hospital }),
  ]);
});

test('an event becomes its notifications, recorded as processed in the same transaction', async () => {
  const driverId = randomUUID();
  const event = orderEvent('order.dispatched', { ...newOrder(hospital, vendor), driverId });
  await t.app.services.inbox.handle(event);

  const rows = await rowsOf(event.id);
  expect(rows).toEqual([
    expect.objectContaining({ type: 'DELIVERY_ASSIGNED', organization_id: null, user_id: driverId }),
    expect.objectContaining({ type: 'ORDER_DISPATCHED', organization_id: hospital, user_id: null }),
  ]);
  expect(await processed(event.id)).toBe(1);
});

test('the same event delivered again changes nothing and publishes nothing', async () => {
  const event = orderEvent('order.placed', newOrder(hospital, vendor));
  expect(await t.app.services.inbox.consume(event)).toEqual({
    kind: 'created',
    notificationIds: [expect.any(String)],
  });
  const first = await rowsOf(event.id);

  const live = await listen(`org:${vendor}:notifications`);
  expect(await t.app.services.inbox.consume(event)).toEqual({ kind: 'duplicate' });
  await t.app.services.inbox.handle({ ...event, occurredAt: new Date().toISOString() });
  await settle();
  await live.unsubscribe();

  expect(await rowsOf(event.id)).toEqual(first);
  expect(live.messages).toEqual([]);
});

test('concurrent deliveries of one event make one set of notifications', async () => {
  const event = orderEvent('order.dispatched', { ...newOrder(hospital, vendor), driverId: randomUUID() });
  const outcomes = await Promise.all(
    Array.from({ length: 8 }, () => t.app.services.inbox.consume(structuredClone(event))),
  );
  expect(outcomes.filter((o) => o.kind === 'created')).toHaveLength(1);
  expect(outcomes.filter((o) => o.kind === 'duplicate')).toHaveLength(7);
  expect(await rowsOf(event.id)).toHaveLength(2);
  expect(await processed(event.id)).toBe(1);
});

test('an unknown event type is acknowledged and leaves no trace', async () => {
  const event = { ...stockLowEvent(vendor), type: 'stock.reserved' };
  await expect(t.app.services.inbox.consume(event)).resolves.toEqual({ kind: 'ignored' });
  expect(await rowsOf(event.id)).toEqual([]);
  expect(await processed(event.id)).toBe(0);
});

test('a malformed event throws a clear error and claims nothing, so a fixed copy still counts', async () => {
  const order = newOrder(hospital, vendor);
  const event = orderEvent('order.placed', order, { vendorOrganizationId: null });
  await expect(t.app.services.inbox.handle(event)).rejects.toThrow(MalformedEventError);
  await expect(t.app.services.inbox.handle(event)).rejects.toThrow(
    /order.placed event .*data.vendorOrganizationId is missing/,
  );
  expect(await processed(event.id)).toBe(0);

  await t.app.services.inbox.handle({ ...event, data: { ...event.data, vendorOrganizationId: vendor } });
  expect(await rowsOf(event.id)).toHaveLength(1);
});

test('stock.low and payment.failed reach the vendor and the hospital', async () => {
  const low = stockLowEvent(vendor);
  const failed = paymentFailedEvent(hospital, vendor);
  await t.app.services.inbox.handle(low);
  await t.app.services.inbox.handle(failed);
  expect(await rowsOf(low.id)).toEqual([
    expect.objectContaining({
      type: 'STOCK_LOW',
      organization_id: vendor,
      title: 'Stock low: 3 left (reorder level 5)',
    }),
  ]);
  expect(await rowsOf(failed.id)).toEqual([
    expect.objectContaining({
      type: 'PAYMENT_FAILED',
      organization_id: hospital,
      order_id: failed.data.orderId,
    }),
  ]);
});

test("an organization's approval and suspension reach that organization; its registration does not", async () => {
  const approved = organizationEvent('organization.approved', vendor);
  const suspended = organizationEvent('organization.suspended', vendor);
  const registered = organizationEvent('organization.registered', vendor);
  for (const event of [approved, suspended, registered]) await t.app.services.inbox.handle(event);
  expect(await rowsOf(approved.id)).toEqual([
    expect.objectContaining({ type: 'ORGANIZATION_APPROVED', organization_id: vendor, order_id: null }),
  ]);
  expect(await rowsOf(suspended.id)).toEqual([
    expect.objectContaining({ type: 'ORGANIZATION_SUSPENDED', organization_id: vendor, order_id: null }),
  ]);
  expect(await rowsOf(registered.id)).toEqual([]);
  expect(await processed(registered.id)).toBe(0);
});

describe('live messages', () => {
  test('each notification is announced on its audience topic, after its transaction committed', async () => {
    const driverId = randomUUID();
    const event = orderEvent('order.dispatched', { ...newOrder(hospital, vendor), driverId });
    // Looked at the moment each message arrives: had the notifications' transaction committed?
    const seen: { topic: string; message: unknown; committed: boolean }[] = [];
    // The notifications are inserted by one statement (its own transaction: done when it is), or
    // inside BEGIN ... COMMIT (done at the COMMIT).
    const committed = () => {
      const insert = t.statements.findIndex((sql) =>
        /INSERT INTO "?(\w+"?\.)?"?notifications"?\s*\(/.test(sql),
      );
      if (insert < 0) return false;
      const inTransaction = t.statements.lastIndexOf('BEGIN', insert) >= 0;
      return !inTransaction || t.statements.indexOf('COMMIT', insert) > insert;
    };
    const subscribe = (topic: string) =>
      t.pubsub.subscribe(topic, (message) => seen.push({ topic, message, committed: committed() }));
    const unsubscribes = await Promise.all([
      subscribe(`org:${hospital}:notifications`),
      subscribe(`user:${driverId}:notifications`),
      subscribe(`org:${vendor}:notifications`),
    ]);
    t.statements.length = 0;

    const outcome = await t.app.services.inbox.consume(event);
    await settle();
    await Promise.all(unsubscribes.map((u) => u()));

    const [hospitalRow, driverRow] = [
      (await rowsOf(event.id)).find((r) => r.type === 'ORDER_DISPATCHED')!,
      (await rowsOf(event.id)).find((r) => r.type === 'DELIVERY_ASSIGNED')!,
    ];
    expect(outcome).toEqual({
      kind: 'created',
      notificationIds: expect.arrayContaining([hospitalRow.id, driverRow.id]),
    });
    expect(seen).toHaveLength(2);
    expect(seen).toEqual(
      expect.arrayContaining([
        {
          topic: `org:${hospital}:notifications`,
          message: { type: 'notification.added', notificationId: hospitalRow.id },
          committed: true,
        },
        {
          topic: `user:${driverId}:notifications`,
          message: { type: 'notification.added', notificationId: driverRow.id },
          committed: true,
        },
      ]),
    );
  });

  test('a channel that refuses the message is logged; the notifications stay', async () => {
    const warnings: unknown[] = [];
    const logger = {
      child: () => logger,
      debug: () => undefined,
      info: () => undefined,
      warn: (fields: unknown) => warnings.push(fields),
    } as unknown as ConstructorParameters<typeof LiveUpdates>[1];
    const down = { publish: () => Promise.reject(new Error('channel down')) };
    const inbox = new NotificationInbox(t.app.prisma, new LiveUpdates(down, logger), logger);

    const event = orderEvent('order.confirmed', newOrder(hospital, vendor));
    await expect(inbox.handle(event)).resolves.toBeUndefined();
    expect(await rowsOf(event.id)).toHaveLength(1);
    expect(warnings).toEqual([expect.objectContaining({ err: expect.any(Error) })]);
  });
});
