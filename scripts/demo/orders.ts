// The demo orders, driven through the real saga by the people who would: the hospital places,
// the vendor confirms and dispatches to its driver, the driver reports a position or confirms
// the delivery. Each order is found again by the tag at the end of its notes and moved on from
// wherever it stands, so a run that was stopped halfway is finished by the next, and a run that
// finds every order where it should be changes nothing. An order a demo user cancelled or
// rejected stays so.
import { setTimeout as sleep } from 'node:timers/promises';
import type { DemoEmail } from '@flow/users/demo-accounts';
import { allSettled, eachAtMost, type Actor, type DemoApi, DemoSeedError } from './api';
import { demoOrders, orderTag, type DemoOrder, type DemoVendor } from './market';

export interface SeededOrder {
  demo: DemoOrder;
  id: string;
  number: string;
  status: string;
}

interface OrderNode {
  id: string;
  number: string;
  status: string;
  notes: string | null;
  delivery: { lastPosition: { id: string } | null } | null;
}

const ORDER_FIELDS = 'id number status notes delivery { lastPosition { id } }';
/** A placement answered ORDER_PENDING (its saga still runs) is asked again for up to a minute. */
const PENDING_RETRIES = 120;
const PENDING_RETRY_MS = 500;
/** Sagas in flight at once: each keeps four subgraphs busy. */
const PARALLEL_ORDERS = 3;

export interface OrderContext {
  vendors: readonly DemoVendor[];
  vendorIds: Map<string, string>;
  siteIds: Map<string, string>;
  products: Map<string, string>;
}

/** Every order of the hospital, newest first (the demo ones are among them, tagged). */
async function hospitalOrders(hospital: Actor): Promise<OrderNode[]> {
  const orders: OrderNode[] = [];
  for (let after: string | null = null; ;) {
    const page: {
      orders: { edges: { node: OrderNode }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    } = await hospital.query(
      `query ($after: String) { orders(first: 100, after: $after) { edges { node { ${ORDER_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
      { after },
    );
    orders.push(...page.orders.edges.map(({ node }) => node));
    if (!page.orders.pageInfo.hasNextPage) return orders;
    after = page.orders.pageInfo.endCursor;
  }
}

async function place(hospital: Actor, demo: DemoOrder, context: OrderContext): Promise<OrderNode> {
  const input = {
    siteId: context.siteIds.get(demo.site)!,
    vendorId: context.vendorIds.get(demo.vendor)!,
    priority: demo.priority,
    items: demo.items.map(([sku, quantity]) => ({ productId: context.products.get(sku)!, quantity })),
    payment: demo.payment,
    notes: `${demo.notes} ${orderTag(demo)}`,
  };
  for (let attempt = 1; ; attempt++) {
    try {
      const data = await hospital.mutate<{ placeOrder: OrderNode }>(
        `mutation ($key: String!, $input: PlaceOrderInput!) { placeOrder(idempotencyKey: $key, input: $input) { ${ORDER_FIELDS} } }`,
        { key: `demo-order-${demo.key}`, input },
      );
      return data.placeOrder;
    } catch (error) {
      // The saga goes on under the key: asking again with it answers its outcome.
      if (!(error instanceof DemoSeedError && error.code === 'ORDER_PENDING') || attempt >= PENDING_RETRIES)
        throw error;
      await sleep(PENDING_RETRY_MS);
    }
  }
}

/** One move of the order towards its target, by whoever makes it; null once there is none. */
async function nextMove(
  api: DemoApi,
  demo: DemoOrder,
  order: OrderNode,
  vendor: DemoVendor,
): Promise<OrderNode | null> {
  const variables = { id: order.id };
  switch (order.status) {
    case 'PLACED': {
      const admin = await api.as(vendor.admin);
      const data = await admin.mutate<{ confirmOrder: OrderNode }>(
        `mutation ($id: ID!) { confirmOrder(orderId: $id) { ${ORDER_FIELDS} } }`,
        variables,
      );
      return data.confirmOrder;
    }
    case 'CONFIRMED': {
      const [admin, driver] = await Promise.all([api.as(vendor.admin), api.as(vendor.driver)]);
      const data = await admin.mutate<{ dispatchOrder: OrderNode }>(
        `mutation ($id: ID!, $driver: ID!) { dispatchOrder(orderId: $id, driverId: $driver) { ${ORDER_FIELDS} } }`,
        { ...variables, driver: driver.userId },
      );
      return data.dispatchOrder;
    }
    case 'DISPATCHED': {
      if (demo.target === 'DISPATCHED' && order.delivery?.lastPosition) return null;
      const driver = await api.as(vendor.driver);
      if (demo.target === 'DELIVERED') {
        const data = await driver.mutate<{ confirmDelivery: OrderNode }>(
          `mutation ($id: ID!, $proof: DeliveryProofInput!) { confirmDelivery(orderId: $id, proof: $proof) { ${ORDER_FIELDS} } }`,
          { ...variables, proof: proofOfDelivery(demo) },
        );
        return data.confirmDelivery;
      }
      return reportHalfway(driver, order);
    }
    default:
      return null;
  }
}

/** The driver's first report: halfway between the depot and the site, so the ETA is live. */
async function reportHalfway(driver: Actor, order: OrderNode): Promise<OrderNode> {
  type Position = { lat: number; lng: number };
  const { order: route } = await driver.query<{
    order: { depot: { position: Position }; site: { position: Position } };
  }>('query ($id: ID!) { order(id: $id) { depot { position { lat lng } } site { position { lat lng } } } }', {
    id: order.id,
  });
  const halfway = (from: number, to: number) => Math.round(((from + to) / 2) * 1e5) / 1e5;
  const { reportDeliveryPosition: position } = await driver.mutate<{
    reportDeliveryPosition: { id: string };
  }>(
    'mutation ($id: ID!, $position: PositionInput!) { reportDeliveryPosition(orderId: $id, position: $position, speedKph: 42) { id } }',
    {
      id: order.id,
      position: {
        lat: halfway(route.depot.position.lat, route.site.position.lat),
        lng: halfway(route.depot.position.lng, route.site.position.lng),
      },
    },
  );
  return { ...order, delivery: { lastPosition: position } };
}

function proofOfDelivery(demo: DemoOrder) {
  const serials = demo.items
    .filter(([sku]) => sku.startsWith('O2-CYL-') || sku.startsWith('LOX-'))
    .flatMap(([sku, quantity]) =>
      Array.from({ length: quantity }, (_, i) => `${demo.key}-${sku}-${String(i + 1).padStart(2, '0')}`),
    );
  return {
    receivedBy: demo.receivedBy ?? 'Ward store',
    // A drawn signature is a data URL of an image; a tiny placeholder stands in for one.
    signature: `data:text/plain,signed by ${demo.receivedBy ?? 'the ward store'}`,
    deliveredSerials: serials,
  };
}

async function seedOrder(api: DemoApi, demo: DemoOrder, existing: OrderNode[], context: OrderContext) {
  const tag = orderTag(demo);
  const hospital = await api.as(demo.hospital);
  let order = existing.find(({ notes }) => notes?.endsWith(tag)) ?? (await place(hospital, demo, context));
  const vendor = context.vendors.find(({ organization }) => organization === demo.vendor)!;
  let next = await nextMove(api, demo, order, vendor);
  while (next) {
    order = next;
    next = await nextMove(api, demo, order, vendor);
  }
  return { demo, id: order.id, number: order.number, status: order.status };
}

/** The orders of each hospital that places demo orders, by the email of its demo admin. */
export type ExistingOrders = Map<DemoEmail, OrderNode[]>;

export async function existingOrders(api: DemoApi): Promise<ExistingOrders> {
  const hospitals = [...new Set(demoOrders.map(({ hospital }) => hospital))];
  return new Map(
    await allSettled(
      hospitals.map(async (email) => [email, await hospitalOrders(await api.as(email))] as const),
    ),
  );
}

/** Every demo order, placed if missing and moved on to its target; a few at a time. */
export async function seedOrders(
  api: DemoApi,
  existing: ExistingOrders,
  context: OrderContext,
): Promise<SeededOrder[]> {
  const seeded = new Map<DemoOrder, SeededOrder>();
  await eachAtMost(PARALLEL_ORDERS, demoOrders, async (demo) => {
    seeded.set(demo, await seedOrder(api, demo, existing.get(demo.hospital)!, context));
  });
  return demoOrders.map((demo) => seeded.get(demo)!);
}
