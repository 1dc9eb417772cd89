import { createTestEnvironment, type InventoryTestEnvironment, type Actor } from './support/environment';
import { ADJUST_STOCK, MOVEMENTS, SET_STOCK, STOCK_LEVELS, type Level } from './support/queries';

let t: InventoryTestEnvironment;
let vendor: Actor;
let vendorStaff: Actor;
let otherVendor: Actor;
let hospital: Actor;
let admin: Actor;
let depotId: string;
let otherDepotId: string;
let productId: string;
let secondProductId: string;

/** Every row inventory keeps about stock, to prove a refused change wrote nothing. */
const snapshot = async () => ({
  depots: await t.sql('SELECT * FROM depots ORDER BY id'),
  levels: await t.sql('SELECT * FROM stock_levels ORDER BY depot_id, product_id'),
  movements: await t.sql('SELECT * FROM stock_movements ORDER BY id'),
  reservations: await t.sql('SELECT * FROM reservations ORDER BY id'),
  events: await t.sql('SELECT * FROM outbox_events ORDER BY id'),
});

async function setStock(actor: Actor, input: Record<string, unknown>) {
  return t.gql<{ setStock: Level }>({
    query: SET_STOCK,
    variables: { input: { depotId, productId, ...input } },
    token: actor.token,
  });
}

async function adjustStock(actor: Actor, input: Record<string, unknown>) {
  return t.gql<{ adjustStock: Level }>({
    query: ADJUST_STOCK,
    variables: { input: { depotId, productId, reason: 'cycle count', ...input } },
    token: actor.token,
  });
}

beforeAll(async () => {
  t = await createTestEnvironment();
  vendor = await t.actor('VENDOR_ADMIN');
  vendorStaff = await t.actor('VENDOR_STAFF', vendor.organizationId);
  otherVendor = await t.actor('VENDOR_ADMIN');
  hospital = await t.actor('HOSPITAL_ADMIN');
  admin = await t.actor('PLATFORM_ADMIN');
  [depotId, otherDepotId] = await Promise.all([t.createDepot(vendor), t.createDepot(otherVendor)]);
  const products = await t.sql<{ id: string }>(
    "SELECT id FROM products WHERE sku IN ('O2-CYL-E', 'O2-CYL-D') ORDER BY sku DESC",
  );
  [productId, secondProductId] = products.map((p) => p.id) as [string, string];
});
afterAll(() => t?.stop());

describe('setStock and adjustStock', () => {
  it('lets the depot’s vendor staff set and adjust its stock, recording each change', async () => {
    const set = await setStock(vendorStaff, { onHand: 40, reorderLevel: 5 });
    expect(set.errors).toBeUndefined();
    expect(set.data!.setStock).toMatchObject({
      depot: { id: depotId },
      product: { id: productId, sku: 'O2-CYL-E' },
      onHand: 40,
      reserved: 0,
      available: 40,
      reorderLevel: 5,
      belowReorderLevel: false,
    });
    const adjusted = await adjustStock(vendor, { delta: -6, reason: 'two cylinders failed inspection' });
    expect(adjusted.data!.adjustStock).toMatchObject({ onHand: 34, available: 34, reorderLevel: 5 });

    const movements = await t.gql<{
      stockMovements: { totalCount: number; edges: { node: Record<string, unknown> }[] };
    }>({
      query: MOVEMENTS,
      variables: { depotId },
      token: vendorStaff.token,
    });
    expect(movements.data!.stockMovements.totalCount).toBe(2);
    expect(movements.data!.stockMovements.edges.map((e) => e.node)).toEqual([
      {
        kind: 'ADJUST',
        depot: { id: depotId },
        product: { id: productId },
        onHandDelta: -6,
        reservedDelta: 0,
        onHandAfter: 34,
        reservedAfter: 0,
        reason: 'two cylinders failed inspection',
        actorId: vendor.userId,
      },
      {
        kind: 'SET',
        depot: { id: depotId },
        product: { id: productId },
        onHandDelta: 40,
        reservedDelta: 0,
        onHandAfter: 40,
        reservedAfter: 0,
        reason: null,
        actorId: vendorStaff.userId,
      },
    ]);
    // The depot's owner, as locations said, is kept here.
    expect(await t.sql('SELECT id, organization_id FROM depots WHERE id = $1', [depotId])).toEqual([
      { id: depotId, organization_id: vendor.organizationId },
    ]);
  });

  it('keeps the reorder level when setStock leaves it out', async () => {
    const result = await setStock(vendor, { onHand: 34 });
    expect(result.data!.setStock).toMatchObject({ onHand: 34, reorderLevel: 5 });
  });

  it('flags stock below the reorder level, with one stock.low event per crossing', async () => {
    const eventsBefore = await t.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM outbox_events WHERE type = 'stock.low'",
    );
    const low = await setStock(vendor, { productId: secondProductId, onHand: 3, reorderLevel: 4 });
    expect(low.data!.setStock).toMatchObject({ available: 3, reorderLevel: 4, belowReorderLevel: true });
    // Still low: no second event.
    await adjustStock(vendor, { productId: secondProductId, delta: -1 });
    // Back up, then down again: a new crossing.
    await adjustStock(vendor, { productId: secondProductId, delta: 10 });
    await adjustStock(vendor, { productId: secondProductId, delta: -10 });
    const events = await t.sql<{
      actor: string;
      organization_ids: string[];
      data: Record<string, unknown>;
    }>(
      "SELECT actor, organization_ids, data FROM outbox_events WHERE type = 'stock.low' ORDER BY occurred_at",
    );
    expect(events.length - eventsBefore[0]!.n).toBe(2);
    expect(events.at(-1)).toEqual({
      actor: vendor.userId,
      organization_ids: [vendor.organizationId],
      data: {
        depotId,
        productId: secondProductId,
        onHand: 2,
        reserved: 0,
        available: 2,
        reorderLevel: 4,
        // Issue 13: the event names its vendor (notifications addresses it there).
        vendorOrganizationId: vendor.organizationId,
      },
    });
  });

  it('refuses another vendor (FORBIDDEN) and changes nothing', async () => {
    const before = await snapshot();
    const set = await setStock(otherVendor, { onHand: 999 });
    expect(set.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const adjust = await adjustStock(otherVendor, { delta: 5 });
    expect(adjust.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses hospitals and platform admins: stock is the vendor’s own', async () => {
    const before = await snapshot();
    for (const actor of [hospital, admin]) {
      expect((await setStock(actor, { onHand: 1 })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await adjustStock(actor, { delta: 1 })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('names the bad field and changes nothing', async () => {
    const hospitalSite = await t.createHospitalSite(hospital);
    const before = await snapshot();
    const cases: [() => Promise<{ errors?: { extensions?: Record<string, unknown> }[] }>, string][] = [
      [() => setStock(vendor, { onHand: -5 }), 'input.onHand'],
      [() => setStock(vendor, { onHand: 1_000_001 }), 'input.onHand'],
      [() => setStock(vendor, { onHand: 5, reorderLevel: -1 }), 'input.reorderLevel'],
      [() => setStock(vendor, { depotId: 'depot-1', onHand: 5 }), 'input.depotId'],
      [() => setStock(vendor, { depotId: hospitalSite, onHand: 5 }), 'input.depotId'],
      [
        () => setStock(vendor, { depotId: '00000000-0000-4000-8000-000000000001', onHand: 5 }),
        'input.depotId',
      ],
      [
        () => setStock(vendor, { productId: '00000000-0000-4000-8000-000000000001', onHand: 5 }),
        'input.productId',
      ],
      [() => adjustStock(vendor, { delta: 0 }), 'input.delta'],
      [() => adjustStock(vendor, { delta: -35 }), 'input.delta'],
      [() => adjustStock(vendor, { delta: 5, reason: '  ' }), 'input.reason'],
    ];
    for (const [attempt, field] of cases) {
      const result = await attempt();
      expect({ field, extensions: result.errors?.[0]?.extensions }).toEqual({
        field,
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field }),
      });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('never sets on hand below what is reserved', async () => {
    await t.sql('UPDATE stock_levels SET reserved = 30 WHERE depot_id = $1 AND product_id = $2', [
      depotId,
      productId,
    ]);
    try {
      const before = await snapshot();
      const result = await setStock(vendor, { onHand: 29 });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.onHand' });
      expect(result.errors?.[0]?.message).toMatch(/30 units reserved/);
      const adjust = await adjustStock(vendor, { delta: -5 });
      expect(adjust.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.delta' });
      expect(await snapshot()).toEqual(before);
      expect((await setStock(vendor, { onHand: 30 })).data!.setStock).toMatchObject({
        onHand: 30,
        available: 0,
      });
    } finally {
      await t.sql('UPDATE stock_levels SET reserved = 0 WHERE depot_id = $1 AND product_id = $2', [
        depotId,
        productId,
      ]);
    }
  });

  it('applies concurrent adjustments one after another, losing none', async () => {
    await setStock(vendor, { onHand: 100 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => adjustStock(vendorStaff, { delta: -3 })),
    );
    expect(results.filter((r) => r.errors)).toEqual([]);
    const [level] = await t.sql<{ on_hand: number }>(
      'SELECT on_hand FROM stock_levels WHERE depot_id = $1 AND product_id = $2',
      [depotId, productId],
    );
    expect(level!.on_hand).toBe(40);
    const afters = results.map((r) => r.data!.adjustStock.onHand).sort((a, b) => a - b);
    expect(afters).toEqual(Array.from({ length: 20 }, (_, i) => 40 + 3 * i));
  });
});

describe('reading stock', () => {
  it('shows stock levels of a product at given depots to any signed-in user', async () => {
    const result = await t.gql<{ stockLevels: Level[] }>({
      query: STOCK_LEVELS,
      variables: { productId, depotIds: [depotId, otherDepotId] },
      token: hospital.token,
    });
    expect(result.data!.stockLevels).toEqual([
      expect.objectContaining({ depot: { id: depotId }, onHand: 40 }),
    ]);
    const bad = await t.gql({
      query: STOCK_LEVELS,
      variables: { productId, depotIds: [depotId, 'x'] },
      token: hospital.token,
    });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'depotIds[1]' });
  });

  it('resolves Site.stock and Product.stockLevels as federated entities', async () => {
    const result = await t.gql<{ _entities: ({ stock?: Level[]; stockLevels?: Level[] } | null)[] }>({
      query: `query ($r: [_Any!]!) { _entities(representations: $r) {
        ... on Site { id stock { product { sku } onHand } }
        ... on Product { id sku stockLevels { depot { id } onHand } }
      } }`,
      variables: {
        r: [
          { __typename: 'Site', id: depotId },
          { __typename: 'Site', id: otherDepotId },
          { __typename: 'Product', id: productId },
        ],
      },
      token: hospital.token,
    });
    expect(result.errors).toBeUndefined();
    const site = result.data!._entities[0]!;
    site.stock!.sort((a, b) => a.product.sku.localeCompare(b.product.sku));
    expect(result.data!._entities).toEqual([
      {
        id: depotId,
        stock: [
          { product: { sku: 'O2-CYL-D' }, onHand: 2 },
          { product: { sku: 'O2-CYL-E' }, onHand: 40 },
        ],
      },
      { id: otherDepotId, stock: [] },
      { id: productId, sku: 'O2-CYL-E', stockLevels: [{ depot: { id: depotId }, onHand: 40 }] },
    ]);
  });

  it('shows stock movements to the depot’s vendor and platform admins only', async () => {
    const byAdmin = await t.gql<{ stockMovements: { totalCount: number } }>({
      query: MOVEMENTS,
      variables: { depotId, productId: secondProductId },
      token: admin.token,
    });
    expect(byAdmin.data!.stockMovements.totalCount).toBe(4);
    for (const actor of [otherVendor, hospital]) {
      const result = await t.gql({ query: MOVEMENTS, variables: { depotId }, token: actor.token });
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('pages through movements newest first', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    for (;;) {
      const page = await movementsPage(after);
      total = page.totalCount;
      seen.push(...page.edges.map((e) => String(e.node.onHandAfter)));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(total);
    expect(seen[0]).toBe('40');
  });
});

interface MovementsPage {
  totalCount: number;
  edges: { node: { onHandAfter: number } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string };
}

async function movementsPage(after: string | null): Promise<MovementsPage> {
  const result = await t.gql<{ stockMovements: MovementsPage }>({
    query: MOVEMENTS,
    variables: { depotId, productId, first: 7, after },
    token: vendor.token,
  });
  return result.data!.stockMovements;
}

describe('when locations is down', () => {
  it('answers SERVICE_UNAVAILABLE for a depot it does not know yet, changes nothing, and still serves known depots', async () => {
    const newDepot = await t.createDepot(vendor);
    await t.locations.stop();
    const before = await snapshot();
    const unknown = await setStock(vendor, { depotId: newDepot, onHand: 5 });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(unknown.errors?.[0]?.message).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|fetch/);
    expect(await snapshot()).toEqual(before);
    const known = await setStock(vendor, { onHand: 41 });
    expect(known.errors).toBeUndefined();
  });
});
