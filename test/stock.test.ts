import pg from 'pg';
import { subgraphDatabase } from '../packages/platform/src';
import { createTestEnvironment, type PlatformTestEnvironment } from './environment';
import { ok, registerOrganization, type Actor } from './support/actors';

// Stock through the router: reservations that never oversell, expiry, and who may change stock.
let t: PlatformTestEnvironment;
let vendor: Actor;
let otherVendor: Actor;
let hospital: Actor;
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
  [vendor, otherVendor, hospital] = await Promise.all([
    registerOrganization(t.gql, 'VENDOR'),
    registerOrganization(t.gql, 'VENDOR'),
    registerOrganization(t.gql, 'HOSPITAL'),
  ]);
  const depot = await ok<{ createSite: { id: string } }>(
    t.gql,
    vendor.token,
    'mutation ($input: CreateSiteInput!) { createSite(input: $input) { id } }',
    {
      input: {
        name: 'Main depot',
        kind: 'DEPOT',
        address: { line1: 'a', city: 'Nairobi', country: 'KE' },
        position: { lat: -1.3, lng: 36.85 },
      },
    },
  );
  depotId = depot.createSite.id;
  const products = await ok<{ products: { edges: { node: { id: string } }[] } }>(
    t.gql,
    vendor.token,
    '{ products(filter: { category: CYLINDER }, first: 1) { edges { node { id } } } }',
  );
  productId = products.products.edges[0]!.node.id;
});
afterAll(() => t?.stop());

describe('reservations', () => {
  it('lets exactly 10 of 100 concurrent reservations through for 10 available units', async () => {
    expect((await setStock(vendor, 10)).errors).toBeUndefined();
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        t.gql<{ reserveStock: { status: string } }>({
          query: RESERVE,
          variables: {
            input: {
              depotId,
              productId,
              quantity: 1,
              reference: `concurrent-${i}-${Date.now()}`,
              holdSeconds: 600,
            },
          },
          token: hospital.token,
        }),
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
    const hold = await ok<{ reserveStock: { id: string } }>(t.gql, hospital.token, RESERVE, {
      input: { depotId, productId, quantity: 4, reference: `expiring-${Date.now()}`, holdSeconds: 1 },
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
    const reserve = await t.gql({
      query: RESERVE,
      variables: { input: { depotId, productId, quantity: 0, reference: 'zero' } },
      token: hospital.token,
    });
    expect(reserve.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.quantity',
    });
    expect(await level()).toEqual(before);
  });
});
