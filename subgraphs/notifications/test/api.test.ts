import { randomUUID } from 'node:crypto';
import type { ConsumedEvent } from '../src/services/rules';
import {
  createNotificationsTestEnvironment,
  ENTITIES,
  MARK_READ,
  newOrder,
  newViewer,
  NOTIFICATION,
  NOTIFICATIONS,
  orderEvent,
  organizationEvent,
  stockLowEvent,
  UNREAD_COUNT,
  type NotificationsPage,
  type NotificationsTestEnvironment,
  type NotificationView,
  type TestViewer,
} from './support';

let t: NotificationsTestEnvironment;

const vendorAdmin = newViewer('VENDOR', 'VENDOR_ADMIN');
const vendorStaff = newViewer('VENDOR', 'VENDOR_STAFF', vendorAdmin.organizationId);
const driver = newViewer('VENDOR', 'DRIVER', vendorAdmin.organizationId);
const otherDriver = newViewer('VENDOR', 'DRIVER', vendorAdmin.organizationId);
const hospitalStaff = newViewer('HOSPITAL', 'HOSPITAL_STAFF');
const otherVendor = newViewer('VENDOR', 'VENDOR_ADMIN');
const platformAdmin = newViewer('PLATFORM', 'PLATFORM_ADMIN');
const vendor = vendorAdmin.organizationId;
const hospital = hospitalStaff.organizationId;

/** Ids of what the seed made, by name. */
const ids = { placed: '', stockLow: '', dispatched: '', assigned: '', otherVendorPlaced: '' };

async function created(event: ConsumedEvent): Promise<string[]> {
  const outcome = await t.app.services.inbox.consume(event);
  if (outcome.kind !== 'created') throw new Error(`${event.type} made nothing`);
  return outcome.notificationIds;
}
const createdOne = async (event: ConsumedEvent) => (await created(event))[0]!;

async function typeOf(id: string) {
  return (await t.sql<{ type: string }>('SELECT type::text FROM notifications WHERE id = $1::uuid', [id]))[0]!
    .type;
}

beforeAll(async () => {
  t = await createNotificationsTestEnvironment();
  const order = { ...newOrder(hospital, vendor), driverId: driver.userId };
  ids.placed = await createdOne(orderEvent('order.placed', order));
  ids.stockLow = await createdOne(stockLowEvent(vendor));
  const dispatched = await created(orderEvent('order.dispatched', order));
  for (const id of dispatched) {
    if ((await typeOf(id)) === 'DELIVERY_ASSIGNED') ids.assigned = id;
    else ids.dispatched = id;
  }
  ids.otherVendorPlaced = await createdOne(
    orderEvent('order.placed', newOrder(hospital, otherVendor.organizationId)),
  );
});
afterAll(() => t.stop());

async function as<Data>(viewer: TestViewer | null, query: string, variables: Record<string, unknown> = {}) {
  return t.gql<Data>({ query, variables, token: viewer ? await t.as(viewer) : undefined });
}

async function page(viewer: TestViewer, variables: Record<string, unknown> = {}) {
  const response = await as<NotificationsPage>(viewer, NOTIFICATIONS, variables);
  expect(response.errors).toBeUndefined();
  return response.data!.notifications;
}

const idsOf = (connection: NotificationsPage['notifications']) => connection.edges.map((e) => e.node.id);

async function one(viewer: TestViewer, id: string) {
  const response = await as<{ notification: NotificationView | null }>(viewer, NOTIFICATION, { id });
  expect(response.errors).toBeUndefined();
  return response.data!.notification;
}

const errorOf = (response: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  response.errors?.[0]?.extensions;

describe('every operation needs a signed-in viewer', () => {
  test.each([
    ['notifications', NOTIFICATIONS, {}],
    ['notification', NOTIFICATION, { id: randomUUID() }],
    ['unreadNotificationCount', UNREAD_COUNT, {}],
    ['markNotificationsRead', MARK_READ, { ids: [] }],
  ])('%s', async (_name, query, variables) => {
    const response = await as(null, query, variables);
    expect(errorOf(response)).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('who sees what', () => {
  test("an organization's admins and staff share its notifications, newest first", async () => {
    for (const viewer of [vendorAdmin, vendorStaff]) {
      const list = await page(viewer);
      expect(idsOf(list)).toEqual([ids.stockLow, ids.placed]);
      expect(list.totalCount).toBe(2);
    }
  });

  test('a driver sees only what is addressed to them, not the organization feed', async () => {
    expect(idsOf(await page(driver))).toEqual([ids.assigned]);
    expect(idsOf(await page(otherDriver))).toEqual([]);
    expect(await one(driver, ids.placed)).toBeNull();
    expect(await one(otherDriver, ids.assigned)).toBeNull();
    expect(await one(driver, ids.assigned)).toMatchObject({
      type: 'DELIVERY_ASSIGNED',
      read: false,
      order: { id: expect.any(String) },
    });
  });

  test("a user's own notification is not the organization's", async () => {
    expect(await one(vendorAdmin, ids.assigned)).toBeNull();
  });

  test('other organizations, and platform admins, see nothing of it', async () => {
    expect(idsOf(await page(otherVendor))).toEqual([ids.otherVendorPlaced]);
    expect(await one(otherVendor, ids.placed)).toBeNull();
    expect(idsOf(await page(hospitalStaff))).toEqual([ids.dispatched]);
    expect(idsOf(await page(platformAdmin))).toEqual([]);
    expect(await one(platformAdmin, ids.placed)).toBeNull();
  });

  test('a hidden notification reads exactly like a missing one', async () => {
    const hidden = await as(otherVendor, NOTIFICATION, { id: ids.placed });
    const missing = await as(otherVendor, NOTIFICATION, { id: randomUUID() });
    expect(hidden.data).toEqual({ notification: null });
    expect(hidden).toMatchObject({ errors: undefined });
    expect(missing.data).toEqual(hidden.data);
    expect(missing.errors).toEqual(hidden.errors);
  });

  test('notification(id) with a malformed id is BAD_USER_INPUT on id', async () => {
    expect(errorOf(await as(vendorAdmin, NOTIFICATION, { id: 'n-1' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'id',
    });
  });

  test('the fields: text, times, the order, depot and product it is about', async () => {
    const placed = await one(vendorStaff, ids.placed);
    expect(placed).toMatchObject({
      type: 'ORDER_PLACED',
      title: expect.stringMatching(/^New order ORD-2026-\d{6}$/),
      body: 'A routine order of USD 125.00 is waiting for your confirmation.',
      read: false,
      readAt: null,
      depot: null,
      product: null,
    });
    expect(Date.parse(placed!.createdAt)).toBeGreaterThanOrEqual(Date.parse(placed!.occurredAt));
    const low = await one(vendorStaff, ids.stockLow);
    expect(low).toMatchObject({ type: 'STOCK_LOW', order: null, depot: { id: expect.any(String) } });
  });

  test('entity references (what the router resolves for notificationAdded) apply the same rule', async () => {
    const refs = [ids.placed, ids.assigned, randomUUID()].map((id) => ({ __typename: 'Notification', id }));
    const asStaff = await as<{ _entities: unknown[] }>(vendorStaff, ENTITIES, { r: refs });
    expect(asStaff.data!._entities).toEqual([
      { id: ids.placed, type: 'ORDER_PLACED', read: false },
      null,
      null,
    ]);
    const asDriver = await as<{ _entities: unknown[] }>(driver, ENTITIES, { r: refs });
    expect(asDriver.data!._entities).toEqual([
      null,
      { id: ids.assigned, type: 'DELIVERY_ASSIGNED', read: false },
      null,
    ]);
  });
});

test("an organization's suspension is read by its admins and staff, about no order", async () => {
  const admin = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
  const staff = newViewer('HOSPITAL', 'HOSPITAL_STAFF', admin.organizationId);
  const id = await createdOne(
    organizationEvent('organization.suspended', admin.organizationId, { kind: 'HOSPITAL' }),
  );
  for (const viewer of [admin, staff]) {
    expect(await one(viewer, id)).toMatchObject({
      type: 'ORGANIZATION_SUSPENDED',
      title: 'Your organization was suspended',
      body: expect.stringMatching(/Reason: Expired oxygen supply licence$/),
      order: null,
      depot: null,
      product: null,
    });
  }
  expect(await one(vendorAdmin, id)).toBeNull();
});

describe('pages', () => {
  const pager = newViewer('VENDOR', 'VENDOR_STAFF');
  const made: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 5; i += 1)
      made.unshift(
        ...(await created(orderEvent('order.cancelled', newOrder(hospital, pager.organizationId)))),
      );
  });

  test('first/after walk the list newest first; totalCount is the whole list', async () => {
    const first = await page(pager, { first: 2 });
    expect(idsOf(first)).toEqual(made.slice(0, 2));
    expect(first).toMatchObject({ totalCount: 5, pageInfo: { hasNextPage: true, hasPreviousPage: false } });
    const second = await page(pager, { first: 2, after: first.pageInfo.endCursor });
    expect(idsOf(second)).toEqual(made.slice(2, 4));
    expect(second).toMatchObject({ totalCount: 5, pageInfo: { hasNextPage: true, hasPreviousPage: true } });
    const last = await page(pager, { first: 2, after: second.pageInfo.endCursor });
    expect(idsOf(last)).toEqual(made.slice(4));
    expect(last.pageInfo.hasNextPage).toBe(false);
  });

  test.each([
    [{ first: 0 }, 'first'],
    [{ first: 101 }, 'first'],
    [{ after: 'not-a-cursor' }, 'after'],
  ])('%j is BAD_USER_INPUT on %s', async (variables, field) => {
    const response = await as(pager, NOTIFICATIONS, variables);
    expect(errorOf(response)).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  test('a page costs the same statements however many notifications it holds', async () => {
    const statementsFor = async (first: number) => {
      t.statements.length = 0;
      const list = await page(pager, { first });
      expect(list.edges).toHaveLength(first);
      return t.statements.length;
    };
    expect(await statementsFor(5)).toBe(await statementsFor(1));
  });

  describe('read state, per user', () => {
    const colleague = newViewer('VENDOR', 'VENDOR_ADMIN', pager.organizationId);

    test('markNotificationsRead counts what it newly marked; the colleague keeps their own unread list', async () => {
      const mark = (viewer: TestViewer, list: string[]) =>
        as<{ markNotificationsRead: number }>(viewer, MARK_READ, { ids: list });
      expect((await mark(pager, [made[0]!, made[1]!, made[0]!.toUpperCase()])).data).toEqual({
        markNotificationsRead: 2,
      });
      expect((await mark(pager, [made[1]!, made[2]!])).data).toEqual({ markNotificationsRead: 1 });
      expect((await mark(pager, [])).data).toEqual({ markNotificationsRead: 0 });

      const unread = await page(pager, { unreadOnly: true });
      expect(idsOf(unread)).toEqual(made.slice(3));
      expect(unread.totalCount).toBe(2);
      const all = await page(pager);
      expect(all.totalCount).toBe(5);
      expect(all.edges.map((e) => e.node.read)).toEqual([true, true, true, false, false]);
      expect(all.edges[0]!.node.readAt).not.toBeNull();
      expect((await as(pager, UNREAD_COUNT)).data).toEqual({ unreadNotificationCount: 2 });

      expect((await page(colleague, { unreadOnly: true })).totalCount).toBe(5);
      expect((await as(colleague, UNREAD_COUNT)).data).toEqual({ unreadNotificationCount: 5 });
      expect((await one(colleague, made[0]!))!.read).toBe(false);
    });

    test('marking again keeps the first readAt', async () => {
      const before = (await one(pager, made[0]!))!.readAt;
      await as(pager, MARK_READ, { ids: [made[0]] });
      expect((await one(pager, made[0]!))!.readAt).toBe(before);
    });

    test('ids the viewer cannot see are skipped, like unknown ones, and leave no receipt', async () => {
      const theirs = [ids.placed, ids.assigned, ids.otherVendorPlaced, randomUUID()];
      const response = await as<{ markNotificationsRead: number }>(colleague, MARK_READ, { ids: theirs });
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ markNotificationsRead: 0 });
      const receipts = await t.sql<{ n: number }>(
        'SELECT count(*)::int AS n FROM notification_receipts WHERE user_id = $1::uuid',
        [colleague.userId],
      );
      expect(receipts[0]!.n).toBe(0);
      expect((await as(vendorStaff, UNREAD_COUNT)).data).toEqual({ unreadNotificationCount: 2 });
    });

    test('more than 100 ids, or a malformed one, is BAD_USER_INPUT on ids and marks nothing', async () => {
      const tooMany = Array.from({ length: 101 }, () => made[3]!);
      expect(errorOf(await as(colleague, MARK_READ, { ids: tooMany }))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'ids',
      });
      expect(errorOf(await as(colleague, MARK_READ, { ids: [made[3], 'x'] }))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'ids',
      });
      expect((await as(colleague, UNREAD_COUNT)).data).toEqual({ unreadNotificationCount: 5 });
    });
  });
});
