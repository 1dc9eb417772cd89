import {
  createSignedClient,
  createTestEnvironment,
  ROUTER_SECRET,
  type InventoryTestEnvironment,
} from './support/environment';
import { RESERVATION, RESERVE, SET_STOCK, type ReservationResult } from './support/queries';

// The expiry job as the running process does it: on its own timer, no test calling it.
let t: InventoryTestEnvironment;

beforeAll(async () => {
  t = await createTestEnvironment({ env: { RESERVATION_SWEEP_SECONDS: '1' } });
});
afterAll(() => t?.stop());

it('releases an expired hold by itself within a couple of sweeps', async () => {
  const vendor = await t.actor('VENDOR_STAFF');
  const hospital = await t.actor('HOSPITAL_STAFF');
  const depotId = await t.createDepot(await t.actor('VENDOR_ADMIN', vendor.organizationId));
  const [{ id: productId }] = (await t.sql<{ id: string }>(
    "SELECT id FROM products WHERE sku = 'O2-CYL-E'",
  )) as [{ id: string }];
  await t.gql({
    query: SET_STOCK,
    variables: { input: { depotId, productId, onHand: 5 } },
    token: vendor.token,
  });
  // The orders service holds stock for the hospital's order (nobody else may).
  const orders = createSignedClient(t.app.url, ROUTER_SECRET, 'orders');
  const hold = await orders<{ reserveStock: ReservationResult }>({
    query: RESERVE,
    variables: { input: { depotId, productId, quantity: 2, reference: 'short-hold', holdSeconds: 1 } },
    token: hospital.token,
  });
  expect(hold.data!.reserveStock.status).toBe('HELD');

  const reserved = async () =>
    (
      await t.sql<{ reserved: number }>('SELECT reserved FROM stock_levels WHERE product_id = $1', [
        productId,
      ])
    )[0]!.reserved;
  expect(await reserved()).toBe(2);
  const deadline = Date.now() + 10_000;
  while ((await reserved()) !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  expect(await reserved()).toBe(0);
  const status = await t.gql<{ reservation: ReservationResult }>({
    query: RESERVATION,
    variables: { id: hold.data!.reserveStock.id },
    token: hospital.token,
  });
  expect(status.data!.reservation.status).toBe('EXPIRED');
});
