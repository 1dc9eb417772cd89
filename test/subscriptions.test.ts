import { createTestEnvironment, type PlatformTestEnvironment } from './environment';
import { platformAdmin, registerOrganization } from './support/actors';
import { collect, liveClient, rawSocket, sseSubscription } from './support/live';
import { CONFIRM, DELIVER, DISPATCH, REPORT, orderClient, until } from './support/orders';
import {
  orderInput,
  productIds,
  setUpHospital,
  setUpVendor,
  type Hospital,
  type Vendor,
} from './support/ordering';

// Live tracking through the router over graphql-ws, with every subgraph as a real process.
let t: PlatformTestEnvironment;
let vendor: Vendor;
let hospital: Hospital;
let product: string;

beforeAll(async () => {
  t = await createTestEnvironment({ WS_CONNECTION_INIT_TIMEOUT_MS: '500' });
  const adminToken = await platformAdmin(t.gql);
  product = (await productIds(t.gql, adminToken, 1))[0]!;
  vendor = await setUpVendor(t.gql, adminToken, { productIds: [product], onHand: 500, unitPrice: 4_000 });
  hospital = await setUpHospital(t.gql);
}, 120_000);
afterAll(() => t?.stop());

const { placed, mutate } = orderClient(() => t);
const newOrder = () =>
  placed(
    hospital,
    orderInput(hospital, [{ productId: product, quantity: 2 }], { vendorId: vendor.admin.organizationId }),
  );

const ORDER_UPDATED = `subscription ($id: ID!) {
  orderUpdated(orderId: $id) {
    id status
    site { name }
    vendor { name }
    payment { status }
    items { product { name } quantity }
  }
}`;

interface OrderUpdate {
  orderUpdated: {
    id: string;
    status: string;
    site: { name: string };
    vendor: { name: string };
    payment: { status: string };
    items: { product: { name: string }; quantity: number }[];
  };
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', t.routerUrl))).text();
  // `name 3` or `name{process="router"} 3`: a missing metric fails loudly instead of reading NaN.
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  if (!line) throw new Error(`${name} is not in the router's /metrics`);
  return Number(line.split(' ').pop());
}

describe('orderUpdated', () => {
  it('delivers CONFIRMED, DISPATCHED, DELIVERED in order, with fields from five subgraphs', async () => {
    const order = await newOrder();
    const client = liveClient(t.routerUrl, hospital.admin.token);
    try {
      const live = collect<OrderUpdate>(client, ORDER_UPDATED, { id: order.id });
      await new Promise((r) => setTimeout(r, 300)); // the subscription is active once acknowledged
      // Each update is read when its notification arrives (the current state, with the
      // subscriber's credentials): the next move waits for it, or a busy machine could show
      // DELIVERED twice instead of DISPATCHED then DELIVERED.
      await mutate(vendor.admin.token, CONFIRM, { id: order.id });
      await live.waitFor(1);
      await mutate(vendor.admin.token, DISPATCH, { id: order.id, driver: vendor.driver.userId });
      await live.waitFor(2);
      await mutate(vendor.driver.token, DELIVER, { id: order.id });
      await live.waitFor(3);
      expect(live.results.map((r) => r.data?.orderUpdated.status)).toEqual([
        'CONFIRMED',
        'DISPATCHED',
        'DELIVERED',
      ]);
      const last = live.results[2]!.data!.orderUpdated;
      expect(last).toMatchObject({
        site: { name: 'Main campus' }, // locations
        vendor: { name: expect.any(String) }, // users
        payment: { status: 'CAPTURED' }, // payments
        items: [{ product: { name: expect.any(String) }, quantity: 2 }], // inventory
      });
      live.stop();
    } finally {
      await client.dispose();
    }
  });

  it('refuses another hospital with NOT_FOUND, and a signed-out socket with UNAUTHENTICATED', async () => {
    const order = await newOrder();
    const stranger = await registerOrganization(t.gql, 'HOSPITAL');
    const client = liveClient(t.routerUrl, stranger.token);
    try {
      const live = collect<OrderUpdate>(client, ORDER_UPDATED, { id: order.id });
      const error = (await live.ended) as { extensions?: { code?: string } }[];
      expect(error[0]?.extensions?.code).toBe('NOT_FOUND');
    } finally {
      await client.dispose();
    }
    const anonymous = liveClient(t.routerUrl, null);
    try {
      const live = collect<OrderUpdate>(anonymous, ORDER_UPDATED, { id: order.id });
      const error = (await live.ended) as { extensions?: { code?: string } }[];
      expect(error[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    } finally {
      await anonymous.dispose();
    }
  });

  it('resolves an event once for 100 identical subscribers, and every one of them gets it', async () => {
    const order = await newOrder();
    const client = liveClient(t.routerUrl, hospital.admin.token);
    try {
      const lives = Array.from({ length: 100 }, () =>
        collect<OrderUpdate>(client, ORDER_UPDATED, { id: order.id }),
      );
      await new Promise((r) => setTimeout(r, 1000));
      const before = await metric('flow_router_subscription_resolutions_total');
      await mutate(vendor.admin.token, CONFIRM, { id: order.id });
      await Promise.all(lives.map((l) => l.waitFor(1)));
      expect(await metric('flow_router_subscription_resolutions_total')).toBe(before + 1);
      expect(lives.every((l) => l.results[0]?.data?.orderUpdated.status === 'CONFIRMED')).toBe(true);
      lives.forEach((l) => l.stop());
    } finally {
      await client.dispose();
    }
  });
});

describe('deliveryPositionUpdated', () => {
  it('delivers every reported position with ETA and distance remaining', async () => {
    const order = await newOrder();
    await mutate(vendor.admin.token, CONFIRM, { id: order.id });
    await mutate(vendor.admin.token, DISPATCH, { id: order.id, driver: vendor.driver.userId });
    const client = liveClient(t.routerUrl, hospital.admin.token);
    try {
      const live = collect<{
        deliveryPositionUpdated: {
          lat: number;
          lng: number;
          etaMinutes: number;
          distanceRemainingKm: number;
        };
      }>(
        client,
        'subscription ($id: ID!) { deliveryPositionUpdated(orderId: $id) { lat lng etaMinutes distanceRemainingKm } }',
        { id: order.id },
      );
      await new Promise((r) => setTimeout(r, 300));
      const track = [
        { lat: -1.22, lng: 36.88 },
        { lat: -1.25, lng: 36.86 },
        { lat: -1.28, lng: 36.83 },
      ];
      for (const point of track) await mutate(vendor.driver.token, REPORT, { id: order.id, ...point });
      await live.waitFor(3);
      const positions = live.results.map((r) => r.data!.deliveryPositionUpdated);
      expect(positions.map((p) => [p.lat, p.lng])).toEqual(track.map((p) => [p.lat, p.lng]));
      const distances = positions.map((p) => p.distanceRemainingKm);
      expect(distances[0]).toBeGreaterThan(distances[1]!);
      expect(distances[1]).toBeGreaterThan(distances[2]!);
      expect(positions.every((p) => p.etaMinutes >= 0)).toBe(true);
      live.stop();
    } finally {
      await client.dispose();
    }
  });
});

describe('orderEvents and stockLevelChanged', () => {
  it('orderEvents carries the viewer organization’s orders only', async () => {
    const other = await setUpHospital(t.gql);
    const vendorClient = liveClient(t.routerUrl, vendor.admin.token);
    const otherClient = liveClient(t.routerUrl, other.admin.token);
    try {
      const query = 'subscription { orderEvents { type order { id number status } } }';
      const vendorFeed = collect<{ orderEvents: { type: string; order: { id: string; status: string } } }>(
        vendorClient,
        query,
      );
      const otherFeed = collect<{ orderEvents: { type: string } }>(otherClient, query);
      await new Promise((r) => setTimeout(r, 300));
      const order = await newOrder();
      await mutate(vendor.admin.token, CONFIRM, { id: order.id });
      await vendorFeed.waitFor(2);
      expect(vendorFeed.results.map((r) => [r.data?.orderEvents.type, r.data?.orderEvents.order.id])).toEqual(
        [
          ['order.placed', order.id],
          ['order.confirmed', order.id],
        ],
      );
      await new Promise((r) => setTimeout(r, 500));
      expect(otherFeed.results).toEqual([]);
      vendorFeed.stop();
      otherFeed.stop();
    } finally {
      await vendorClient.dispose();
      await otherClient.dispose();
    }
  });

  it('stockLevelChanged follows a depot’s stock as orders hold it', async () => {
    const client = liveClient(t.routerUrl, vendor.admin.token);
    try {
      const live = collect<{
        stockLevelChanged: { product: { id: string }; reserved: number; available: number };
      }>(
        client,
        'subscription ($depot: ID!) { stockLevelChanged(depotId: $depot) { product { id } reserved available } }',
        { depot: vendor.depotId },
      );
      await new Promise((r) => setTimeout(r, 300));
      await newOrder();
      await live.waitFor(1);
      expect(live.results[0]?.data?.stockLevelChanged.product.id).toBe(product);
      live.stop();
    } finally {
      await client.dispose();
    }
  });
});

describe('notificationAdded', () => {
  it('carries a new order to the vendor’s office and the assignment to its driver alone', async () => {
    const query = 'subscription { notificationAdded { type order { id number } } }';
    type Added = { notificationAdded: { type: string; order: { id: string; number: string } } };
    const office = liveClient(t.routerUrl, vendor.admin.token);
    const driver = liveClient(t.routerUrl, vendor.driver.token);
    const hospitalClient = liveClient(t.routerUrl, hospital.admin.token);
    try {
      const officeFeed = collect<Added>(office, query);
      const driverFeed = collect<Added>(driver, query);
      const hospitalFeed = collect<Added>(hospitalClient, query);
      await new Promise((r) => setTimeout(r, 300));
      const order = await newOrder();
      // Earlier tests' orders may still be notifying: look at this order's notifications only.
      const typesOf = (feed: typeof officeFeed) =>
        feed.results
          .map((r) => r.data?.notificationAdded)
          .filter((n) => n?.order?.id === order.id)
          .map((n) => n!.type);
      const arrived = (feed: typeof officeFeed, count: number) =>
        until(async () => typesOf(feed).length >= count, `${count} notifications`, 15_000);
      await arrived(officeFeed, 1);
      expect(officeFeed.results.find((r) => r.data?.notificationAdded.order.id === order.id)?.data).toEqual({
        notificationAdded: { type: 'ORDER_PLACED', order: { id: order.id, number: order.number } },
      });
      await mutate(vendor.admin.token, CONFIRM, { id: order.id });
      await mutate(vendor.admin.token, DISPATCH, { id: order.id, driver: vendor.driver.userId });
      await arrived(driverFeed, 1);
      await arrived(hospitalFeed, 2);
      expect(typesOf(driverFeed)).toEqual(['DELIVERY_ASSIGNED']);
      expect(typesOf(hospitalFeed)).toEqual(['ORDER_CONFIRMED', 'ORDER_DISPATCHED']);
      await new Promise((r) => setTimeout(r, 500));
      expect(typesOf(officeFeed)).toEqual(['ORDER_PLACED']);
      for (const feed of [officeFeed, driverFeed, hospitalFeed]) feed.stop();
    } finally {
      await Promise.all([office.dispose(), driver.dispose(), hospitalClient.dispose()]);
    }
  });
});

describe('over HTTP (Server-Sent Events)', () => {
  it('delivers the same events as graphql-ws, on the same endpoint', async () => {
    const order = await newOrder();
    const client = liveClient(t.routerUrl, hospital.admin.token);
    try {
      const ws = collect<OrderUpdate>(client, ORDER_UPDATED, { id: order.id });
      const sse = sseSubscription<OrderUpdate>(t.routerUrl, hospital.admin.token, ORDER_UPDATED, {
        id: order.id,
      });
      await sse.open;
      await new Promise((r) => setTimeout(r, 300));
      await mutate(vendor.admin.token, CONFIRM, { id: order.id });
      await mutate(vendor.admin.token, DISPATCH, { id: order.id, driver: vendor.driver.userId });
      await Promise.all([ws.waitFor(2), sse.waitFor(2)]);
      expect(sse.results.map((r) => r.data?.orderUpdated.status)).toEqual(['CONFIRMED', 'DISPATCHED']);
      expect(sse.results).toEqual(ws.results);
      sse.stop();
      ws.stop();
    } finally {
      await client.dispose();
    }
  });

  it('answers NOT_FOUND to another hospital and ends the stream', async () => {
    const order = await newOrder();
    const stranger = await registerOrganization(t.gql, 'HOSPITAL');
    const sse = sseSubscription<OrderUpdate>(t.routerUrl, stranger.token, ORDER_UPDATED, { id: order.id });
    expect(await sse.done).toMatch(/text\/event-stream/);
    expect(sse.results).toEqual([
      { errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })] },
    ]);
  });
});

describe('the socket', () => {
  it('closes with 4403 for a bad token and 4408 without connection_init', async () => {
    expect(
      await rawSocket(t.routerUrl, [
        { type: 'connection_init', payload: { authorization: 'Bearer not-a-token' } },
      ]),
    ).toMatchObject({ code: 4403 });
    expect(await rawSocket(t.routerUrl)).toMatchObject({ code: 4408 });
  });
});
