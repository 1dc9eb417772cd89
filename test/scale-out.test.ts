import { randomUUID } from 'node:crypto';
import { createTestEnvironment, type PlatformTestEnvironment } from './environment';
import { platformAdmin } from './support/actors';
import { collect, liveClient } from './support/live';
import { CONFIRM, orderClient } from './support/orders';
import { orderInput, productIds, setUpHospital, setUpVendor } from './support/ordering';

// Two routers behind one Redis channel: a subscriber on each gets the same event.
let t: PlatformTestEnvironment;

beforeAll(async () => {
  t = await createTestEnvironment({
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    // Its own channel names: other test runs may share this Redis.
    REDIS_KEY_PREFIX: `flow-test-${randomUUID()}:`,
  });
}, 120_000);
afterAll(() => t?.stop());

const { placed, mutate } = orderClient(() => t);

it('delivers one event to subscribers on both routers', async () => {
  const adminToken = await platformAdmin(t.gql);
  const [product] = await productIds(t.gql, adminToken, 1);
  const vendor = await setUpVendor(t.gql, adminToken, {
    productIds: [product!],
    onHand: 20,
    unitPrice: 4_000,
  });
  const hospital = await setUpHospital(t.gql);
  const order = await placed(hospital, orderInput(hospital, [{ productId: product!, quantity: 1 }]));
  const second = await t.addRouter();

  const query = 'subscription ($id: ID!) { orderUpdated(orderId: $id) { status vendor { name } } }';
  const clients = [
    liveClient(t.routerUrl, hospital.admin.token),
    liveClient(second.url, hospital.admin.token),
  ];
  try {
    const lives = clients.map((c) =>
      collect<{ orderUpdated: { status: string; vendor: { name: string } } }>(c, query, { id: order.id }),
    );
    await new Promise((r) => setTimeout(r, 500));
    await mutate(vendor.admin.token, CONFIRM, { id: order.id });
    await Promise.all(lives.map((l) => l.waitFor(1)));
    expect(lives.map((l) => l.results.map((r) => r.data?.orderUpdated.status))).toEqual([
      ['CONFIRMED'],
      ['CONFIRMED'],
    ]);
    expect(lives[0]!.results).toEqual(lives[1]!.results);
    lives.forEach((l) => l.stop());
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
  }
});
