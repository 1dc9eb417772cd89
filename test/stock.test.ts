import pg from 'pg';
import { subgraphDatabase } from '@flow/subgraph-kit';
import type { GraphQLClient } from '@flow/testing';
import { createTestEnvironment, type PlatformTestEnvironment } from './environment';
import { ok, platformAdmin, registerOrganization, type Actor } from './support/actors';
import { setUpHospital, setUpVendor, type Hospital } from './support/ordering';
import { serviceClient } from './support/services';

// Stock through the router: held only for orders, never oversold, expiry, and who may change
// stock. Holds are made the way the orders service makes them, by a signed call to inventory.
let t: PlatformTestEnvironment;
let orders: GraphQLClient;
let adminToken: string;
let vendor: Actor;
let otherVendor: Actor;
let hospital: Actor;
let otherHospital: Hospital;
let depotId: string;
let productId: string;

const RESERVE = `mutation ($input: ReserveStockInput!) { reserveStock(input: $input) { id status quantity expiresAt } }`;
const STOCK = `query ($productId: ID!, $depotIds: [ID!]!) {
  stockLevels(productId: $productId, depotIds: $depotIds) { onHand reserved available reorderLevel belowReorderLevel }
}`;

interface Level {
  onHand: number;
  reserved: number;
  available: number;
  reorderLevel: number;
  belowReorderLevel: boolean;
}

const level = async () =>
  (await ok<{ stockLevels: Level[] }>(t.gql, hospital.token, STOCK, { productId, depotIds: [depotId] }))
    .stockLevels[0]!;

async function setStock(actor: Actor, onHand: number) {
  return t.gql<{ setStock: Level }>({
    query: 'mutation ($input: SetStockInput!) { setStock(input: $input) { onHand reserved available } }',
    variables: { input: { depotId, productId, onHand, reorderLevel: 3 } },
    token: actor.token,
  });
}

beforeAll(async () => {
  t = await createTestEnvironment({ RESERVATION_SWEEP_SECONDS: '1' });
  orders = serviceClient(t.subgraphs.inventory!.url, 'orders');
  adminToken = await platformAdmin(t.gql);
  const products = await ok<{ products: { edges: { node: { id: string } }[] } }>(
    t.gql,
    adminToken,
    '{ products(filter: { category: CYLINDER }, first: 1) { edges { node { id } } } }',
  );
  productId = products.products.edges[0]!.node.id;
  // An approved vendor with a price and delivery terms: its stock is on offer in compareOffers.
  const offering = await setUpVendor(t.gql, adminToken, {
    productIds: [productId],
    onHand: 0,
    unitPrice: 4_000,
  });
  vendor = offering.admin;
  depotId = offering.depotId;
  [otherVendor, hospital, otherHospital] = await Promise.all([
    registerOrganization(t.gql, 'VENDOR'),
    registerOrganization(t.gql, 'HOSPITAL'),
    setUpHospital(t.gql),
  ]);
}, 180_000);
afterAll(() => t?.stop());

/** A hold as the orders service makes one for `hospital`'s order. */
const reserveForOrder = (input: Record<string, unknown>) =>
  orders<{ reserveStock: { id: string; status: string } }>({
    query: RESERVE,
    variables: { input: { depotId, productId, organizationId: hospital.organizationId, ...input } },
  });

const COMPARE = `query ($productId: ID!, $quantity: Int!, $siteId: ID!) {
  compareOffers(productId: $productId, quantity: $quantity, siteId: $siteId) { vendor { id } depot { id } availableQuantity }
}`;

describe('stock is held only for orders (issue 11, case 1)', () => {
  it('refuses a hospital holding all stock for a day with no order; other hospitals still get the offer', async () => {
    expect((await setStock(vendor, 12)).errors).toBeUndefined();
    const before = await level();
    const hoard = await t.gql({
      query: RESERVE,
      variables: {
        input: { depotId, productId, quantity: before.available, reference: 'x', holdSeconds: 86_400 },
      },
      token: hospital.token,
    });
    expect(hoard.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(hoard.errors?.[0]?.message).toMatch(/only for orders/);
    // Renewing it is refused the same way, and so is a platform admin's hold for a hospital.
    const forHospital = await t.gql({
      query: RESERVE,
      variables: {
        input: { depotId, productId, quantity: 1, reference: 'y', organizationId: hospital.organizationId },
      },
      token: adminToken,
    });
    expect(forHospital.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await level()).toEqual(before);

    const offers = await ok<{ compareOffers: { vendor: { id: string }; availableQuantity: number }[] }>(
      t.gql,
      otherHospital.admin.token,
      COMPARE,
      { productId, quantity: before.available, siteId: otherHospital.siteId },
    );
    expect(offers.compareOffers).toContainEqual(
      expect.objectContaining({ vendor: { id: vendor.organizationId }, availableQuantity: before.available }),
    );
  });

  it('keeps the orders service’s inventory calls out of the public API', async () => {
    const listed = await t.gql({
      query: '{ heldReservations(olderThanSeconds: 0) { id } }',
      token: adminToken,
    });
    expect(listed.data ?? null).toBeNull();
    expect(listed.errors?.[0]?.message).toMatch(/Cannot query field "heldReservations"/);
  });
});

describe('reservations', () => {
  it('lets exactly 10 of 100 concurrent reservations through for 10 available units', async () => {
    expect((await setStock(vendor, 10)).errors).toBeUndefined();
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        reserveForOrder({ quantity: 1, reference: `concurrent-${i}-${Date.now()}`, holdSeconds: 600 }),
      ),
    );
    const held = results.filter((r) => r.data?.reserveStock.status === 'HELD');
    const refused = results.filter((r) => r.errors?.[0]?.extensions?.code === 'OUT_OF_STOCK');
    expect(held).toHaveLength(10);
    expect(refused).toHaveLength(90);
    expect(await level()).toMatchObject({ onHand: 10, reserved: 10, available: 0, belowReorderLevel: true });

    // Straight in the database: nothing is over-reserved, and the constraint refuses it outright.
    const { connectionString, schema } = subgraphDatabase('inventory', {
      databaseUrl: t.subgraphs.inventory!.databaseUrl,
    });
    const db = new pg.Client({ connectionString });
    await db.connect();
    try {
      const negative = await db.query(
        `SELECT count(*)::int AS n FROM "${schema}".stock_levels WHERE on_hand - reserved < 0`,
      );
      expect(negative.rows[0].n).toBe(0);
      await expect(
        db.query(`UPDATE "${schema}".stock_levels SET reserved = on_hand + 1 WHERE depot_id = $1`, [depotId]),
      ).rejects.toThrow(/check constraint/);
    } finally {
      await db.end();
    }
  });

  it('releases expired holds by itself', async () => {
    expect((await setStock(vendor, 20)).errors).toBeUndefined();
    const before = await level();
    const hold = await ok<{ reserveStock: { id: string } }>(orders, undefined, RESERVE, {
      input: {
        depotId,
        productId,
        quantity: 4,
        reference: `expiring-${Date.now()}`,
        holdSeconds: 1,
        organizationId: hospital.organizationId,
      },
    });
    expect((await level()).reserved).toBe(before.reserved + 4);
    const deadline = Date.now() + 15_000;
    while ((await level()).reserved !== before.reserved && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 300));
    expect((await level()).reserved).toBe(before.reserved);
    const reservation = await ok<{ reservation: { status: string } }>(
      t.gql,
      hospital.token,
      'query ($id: ID!) { reservation(id: $id) { status } }',
      {
        id: hold.reserveStock.id,
      },
    );
    expect(reservation.reservation.status).toBe('EXPIRED');
  });
});

describe('who may change stock', () => {
  it('refuses another vendor and a hospital, and changes nothing', async () => {
    const before = await level();
    const byOther = await setStock(otherVendor, 999);
    expect(byOther.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const byHospital = await setStock(hospital, 999);
    expect(byHospital.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await level()).toEqual(before);
  });

  it('names the bad field and changes nothing', async () => {
    const before = await level();
    const negative = await setStock(vendor, -5);
    expect(negative.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.onHand' });
    const adjust = await t.gql({
      query: 'mutation ($input: AdjustStockInput!) { adjustStock(input: $input) { onHand } }',
      variables: { input: { depotId, productId, delta: 5, reason: ' ' } },
      token: vendor.token,
    });
    expect(adjust.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reason' });
    const reserve = await reserveForOrder({ quantity: 0, reference: 'zero' });
    expect(reserve.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.quantity',
    });
    expect(await level()).toEqual(before);
  });
});
