import { createTestEnvironment, type PlatformTestEnvironment } from './environment';
import { login, ok, platformAdmin, registerOrganization, type Actor } from './support/actors';
import { brokerForTest, type TestBroker } from './support/broker';
import { collect, liveClient } from './support/live';
import { CONFIRM, DELIVER, DISPATCH, REJECT, codeOf, orderClient, until } from './support/orders';
import {
  orderInput,
  productIds,
  setUpHospital,
  setUpVendor,
  type Hospital,
  type Vendor,
} from './support/ordering';

// Notifications made from domain events, end to end over RabbitMQ: orders, inventory and payments
// write outbox rows, their relays publish them with confirms, notifications consumes them from its
// durable queue, and the router serves them (and notificationAdded) with federated fields.
let t: PlatformTestEnvironment;
let broker: TestBroker;
let vendor: Vendor;
let hospital: Hospital;
let product: string;

beforeAll(async () => {
  broker = brokerForTest('notifications');
  t = await createTestEnvironment({ ...broker.env, OUTBOX_INTERVAL_MS: '200' });
  const adminToken = await platformAdmin(t.gql);
  product = (await productIds(t.gql, adminToken, 1))[0]!;
  vendor = await setUpVendor(t.gql, adminToken, { productIds: [product], onHand: 500, unitPrice: 4_000 });
  hospital = await setUpHospital(t.gql);
}, 120_000);
afterAll(async () => {
  await t?.stop();
  await broker?.remove();
});

const { placed, place, mutate, sql } = orderClient(() => t);
const newOrder = (quantity = 1) =>
  placed(
    hospital,
    orderInput(hospital, [{ productId: product, quantity }], { vendorId: vendor.admin.organizationId }),
  );

const NOTIFICATIONS = `query ($unreadOnly: Boolean) {
  notifications(unreadOnly: $unreadOnly, first: 50) {
    totalCount
    edges { node { id type title body read order { id number status } } }
  }
  unreadNotificationCount
}`;

interface NotificationView {
  id: string;
  type: string;
  title: string;
  body: string;
  read: boolean;
  order: { id: string; number: string; status: string } | null;
}

async function inbox(token: string, unreadOnly = false) {
  const data = await ok<{
    notifications: { totalCount: number; edges: { node: NotificationView }[] };
    unreadNotificationCount: number;
  }>(t.gql, token, NOTIFICATIONS, { unreadOnly });
  return {
    total: data.notifications.totalCount,
    unread: data.unreadNotificationCount,
    items: data.notifications.edges.map((e) => e.node),
  };
}

/** The notifications of `token` about one order, once `count` of them have arrived. */
async function aboutOrder(token: string, orderId: string, count: number) {
  let found: NotificationView[] = [];
  await until(async () => {
    found = (await inbox(token)).items.filter((n) => n.order?.id === orderId);
    return found.length >= count;
  }, `${count} notifications about order ${orderId}`);
  return found;
}

async function invite(admin: Actor, role: 'HOSPITAL_STAFF'): Promise<Actor> {
  const email = `${role.toLowerCase()}.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 6)}@example.org`;
  const invited = await ok<{ inviteUser: { id: string } }>(
    t.gql,
    admin.token,
    'mutation ($input: InviteUserInput!) { inviteUser(input: $input) { id } }',
    { input: { email, name: `A ${role}`, role, password: 'an-invited-password-1' } },
  );
  return {
    token: await login(t.gql, email, 'an-invited-password-1'),
    userId: invited.inviteUser.id,
    organizationId: admin.organizationId,
    email,
  };
}

describe('notifications from domain events', () => {
  it('tells each party what it needs: the vendor of a new order, the hospital of each step, the driver of its assignment', async () => {
    const order = await newOrder();
    const [placedNote] = await aboutOrder(vendor.admin.token, order.id, 1);
    expect(placedNote).toMatchObject({
      type: 'ORDER_PLACED',
      read: false,
      order: { id: order.id, number: order.number }, // orders resolves the federated field
    });
    expect(placedNote!.title).toContain(order.number);

    await mutate(vendor.admin.token, CONFIRM, { id: order.id });
    await mutate(vendor.admin.token, DISPATCH, { id: order.id, driver: vendor.driver.userId });
    await mutate(vendor.driver.token, DELIVER, { id: order.id });
    const hospitalNotes = await aboutOrder(hospital.admin.token, order.id, 3);
    expect(hospitalNotes.map((n) => n.type).sort()).toEqual([
      'ORDER_CONFIRMED',
      'ORDER_DELIVERED',
      'ORDER_DISPATCHED',
    ]);
    const [assignment] = await aboutOrder(vendor.driver.token, order.id, 1);
    expect(assignment!.type).toBe('DELIVERY_ASSIGNED');

    // The driver sees only its own assignment, not the vendor's office notifications.
    expect((await inbox(vendor.driver.token)).items.every((n) => n.type === 'DELIVERY_ASSIGNED')).toBe(true);
    // Each side sees its own: the hospital got nothing of the vendor's, and the reverse.
    const vendorTypes = (await inbox(vendor.admin.token)).items
      .filter((n) => n.order?.id === order.id)
      .map((n) => n.type);
    expect(vendorTypes).toEqual(['ORDER_PLACED']);
  });

  it('tells the hospital of a rejection with the reason, and another hospital sees none of it', async () => {
    const order = await newOrder();
    await mutate(vendor.admin.token, REJECT, { id: order.id });
    const [rejected] = (await aboutOrder(hospital.admin.token, order.id, 1)).filter(
      (n) => n.type === 'ORDER_REJECTED',
    );
    expect(rejected!.body).toContain('No driver today');

    const stranger = await registerOrganization(t.gql, 'HOSPITAL');
    expect((await inbox(stranger.token)).total).toBe(0);
    const peek = await t.gql<{ notification: unknown }>({
      query: 'query ($id: ID!) { notification(id: $id) { id } }',
      variables: { id: rejected!.id },
      token: stranger.token,
    });
    expect(peek.errors).toBeUndefined();
    expect(peek.data?.notification).toBeNull();
  });

  it('tells the vendor when stock falls below its reorder level, and the hospital when a card is declined', async () => {
    const adminToken = await platformAdmin(t.gql);
    const lowVendor = await setUpVendor(t.gql, adminToken, {
      productIds: [product],
      onHand: 3,
      unitPrice: 4_000,
    });
    await ok(
      t.gql,
      lowVendor.admin.token,
      'mutation ($input: SetStockInput!) { setStock(input: $input) { onHand } }',
      { input: { depotId: lowVendor.depotId, productId: product, onHand: 3, reorderLevel: 2 } },
    );
    await placed(
      hospital,
      orderInput(hospital, [{ productId: product, quantity: 2 }], {
        vendorId: lowVendor.admin.organizationId,
      }),
    );
    await until(
      async () => (await inbox(lowVendor.admin.token)).items.some((n) => n.type === 'STOCK_LOW'),
      'a STOCK_LOW notification',
    );

    const declined = await place(
      hospital,
      orderInput(hospital, [{ productId: product, quantity: 1 }], {
        vendorId: vendor.admin.organizationId,
        payment: { method: 'CARD', cardToken: 'tok_chargeDeclined' },
      }),
    );
    expect(codeOf(declined)).toBe('PAYMENT_DECLINED');
    await until(
      async () => (await inbox(hospital.admin.token)).items.some((n) => n.type === 'PAYMENT_FAILED'),
      'a PAYMENT_FAILED notification',
    );
  });

  it('keeps read state per user: one staff member reading does not read it for the others', async () => {
    const staff = await invite(hospital.admin, 'HOSPITAL_STAFF');
    const order = await newOrder();
    await mutate(vendor.admin.token, CONFIRM, { id: order.id });
    const [confirmed] = await aboutOrder(staff.token, order.id, 1);
    const before = await inbox(hospital.admin.token);

    const marked = await ok<{ markNotificationsRead: number }>(
      t.gql,
      staff.token,
      'mutation ($ids: [ID!]!) { markNotificationsRead(ids: $ids) }',
      { ids: [confirmed!.id] },
    );
    expect(marked.markNotificationsRead).toBe(1);
    const staffView = await inbox(staff.token, true);
    expect(staffView.items.map((n) => n.id)).not.toContain(confirmed!.id);
    const adminView = await inbox(hospital.admin.token);
    expect(adminView.unread).toBe(before.unread);
    expect(adminView.items.find((n) => n.id === confirmed!.id)?.read).toBe(false);
  });
});

describe('notificationAdded', () => {
  it('delivers a notification live, with the federated order it is about', async () => {
    const client = liveClient(t.routerUrl, vendor.admin.token);
    try {
      const live = collect<{
        notificationAdded: { type: string; title: string; order: { number: string; status: string } };
      }>(client, 'subscription { notificationAdded { type title order { number status } } }');
      await new Promise((r) => setTimeout(r, 300));
      const order = await newOrder();
      await live.waitFor(1);
      expect(live.results[0]!.data!.notificationAdded).toMatchObject({
        type: 'ORDER_PLACED',
        order: { number: order.number, status: 'PLACED' },
      });
      live.stop();
    } finally {
      await client.dispose();
    }
  });
});

describe('faults', () => {
  it('loses nothing while notifications is down, and applies nothing twice when every event is sent again', async () => {
    await t.stopSubgraph('notifications');
    const orders = [await newOrder(), await newOrder(), await newOrder()];
    for (const order of orders) await mutate(vendor.admin.token, CONFIRM, { id: order.id });
    // The events left the outbox while the consumer was down: the broker's durable queue holds them.
    await until(
      async () =>
        (
          await sql<{ n: string }>(
            'orders',
            'SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL',
          )
        )[0]!.n === '0',
      'the orders outbox to drain into RabbitMQ',
    );
    await t.startSubgraph('notifications');
    for (const order of orders) {
      expect((await aboutOrder(hospital.admin.token, order.id, 1)).map((n) => n.type)).toEqual([
        'ORDER_CONFIRMED',
      ]);
      expect((await aboutOrder(vendor.admin.token, order.id, 1)).map((n) => n.type)).toEqual([
        'ORDER_PLACED',
      ]);
    }

    // At-least-once delivery: publish every orders event again; the consumer must apply none twice.
    const before = (await sql<{ n: string }>('notifications', 'SELECT count(*) AS n FROM notifications'))[0]!
      .n;
    const republished = await sql('orders', 'UPDATE outbox_events SET published_at = NULL RETURNING id');
    expect(republished.length).toBeGreaterThan(10);
    await until(
      async () =>
        (
          await sql<{ n: string }>(
            'orders',
            'SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL',
          )
        )[0]!.n === '0',
      'the orders outbox to drain again',
    );
    // A new order's events go out after all of those: once its notification is in, the consumer
    // has seen every copy.
    const marker = await newOrder();
    await aboutOrder(vendor.admin.token, marker.id, 1);
    const after = (await sql<{ n: string }>('notifications', 'SELECT count(*) AS n FROM notifications'))[0]!
      .n;
    expect(Number(after)).toBe(Number(before) + 1);
    for (const order of orders) await aboutOrder(hospital.admin.token, order.id, 1);
  });
});
