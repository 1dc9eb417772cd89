import { createLogger } from '@flow/core';
import { seedStandardProducts } from '../src/catalog/seed';
import { standardProducts } from '../src/catalog/standard-products';
import { createTestEnvironment, type InventoryTestEnvironment, type Actor } from './support/environment';
import { CREATE_PRODUCT, PRODUCTS, UPDATE_PRODUCT, type ProductResult } from './support/queries';

let t: InventoryTestEnvironment;
let admin: Actor;
let hospital: Actor;
let vendor: Actor;

interface ProductsData {
  products: {
    totalCount: number;
    edges: { cursor: string; node: ProductResult }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
  };
}

const list = async (token: string, variables: Record<string, unknown> = {}) => {
  const result = await t.gql<ProductsData>({ query: PRODUCTS, variables, token });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.products;
};

beforeAll(async () => {
  t = await createTestEnvironment();
  [admin, hospital, vendor] = await Promise.all([
    t.actor('PLATFORM_ADMIN'),
    t.actor('HOSPITAL_STAFF'),
    t.actor('VENDOR_ADMIN'),
  ]);
});
afterAll(() => t?.stop());

describe('the standard catalog', () => {
  it('is seeded with the standard products and their documented capacities', async () => {
    const page = await list(hospital.token, { first: 100 });
    expect(page.totalCount).toBe(standardProducts.length);
    const bySku = new Map(page.edges.map((e) => [e.node.sku, e.node]));
    expect(bySku.get('O2-CYL-E')).toMatchObject({
      category: 'CYLINDER',
      gas: 'OXYGEN',
      gasContentLiters: 680,
    });
    expect(bySku.get('O2-CYL-H')).toMatchObject({ gasContentLiters: 6900 });
    expect(bySku.get('LOX-DEWAR-41L')).toMatchObject({
      category: 'LIQUID_OXYGEN',
      capacityLiters: 41,
      gasContentLiters: 33620,
    });
    expect(bySku.get('CONC-10LPM')).toMatchObject({
      category: 'CONCENTRATOR',
      gas: null,
      capacityLiters: null,
    });
    expect([...bySku.values()].filter((p) => p.category === 'REGULATOR').length).toBeGreaterThanOrEqual(2);
  });

  it('seeds idempotently: a second run changes nothing and keeps what admins changed', async () => {
    const [before] = await t.sql<{ id: string; name: string }>(
      "SELECT id, name FROM products WHERE sku = 'O2-CYL-D'",
    );
    await t.sql("UPDATE products SET name = 'D cylinder (renamed by an admin)' WHERE sku = 'O2-CYL-D'");
    await seedStandardProducts(t.app.prisma, createLogger('test', 'silent'));
    await seedStandardProducts(t.app.prisma, createLogger('test', 'silent'));
    const rows = await t.sql<{ id: string; name: string }>(
      "SELECT id, name FROM products WHERE sku = 'O2-CYL-D'",
    );
    expect(rows).toEqual([{ id: before!.id, name: 'D cylinder (renamed by an admin)' }]);
    const [{ n }] = (await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM products')) as [
      { n: number },
    ];
    expect(n).toBe(standardProducts.length);
  });
});

describe('products', () => {
  it('pages through the catalog with keyset cursors, each product once', async () => {
    const all = await list(hospital.token, { first: 100 });
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await list(hospital.token, { first: 4, after });
      expect(page.totalCount).toBe(all.totalCount);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.edges.map((e) => e.node.id));
  });

  it('filters by category and searches name, SKU and description without regard to case', async () => {
    const liquid = await list(hospital.token, { filter: { category: 'LIQUID_OXYGEN' } });
    expect(liquid.edges.map((e) => e.node.sku).sort()).toEqual(['LOX-DEWAR-41L', 'LOX-PORTABLE-1L']);
    expect(liquid.totalCount).toBe(2);

    const byName = await list(hospital.token, { filter: { search: 'CONCENTRATOR' } });
    expect(byName.edges.map((e) => e.node.sku).sort()).toEqual(['CONC-10LPM', 'CONC-5LPM']);
    const bySku = await list(hospital.token, { filter: { search: 'o2-cyl-m9' } });
    expect(bySku.edges.map((e) => e.node.sku)).toEqual(['O2-CYL-M9']);
    const byDescription = await list(hospital.token, { filter: { search: 'pin-index' } });
    expect(byDescription.edges.map((e) => e.node.sku)).toContain('REG-PIN-INDEX-15');
    const both = await list(hospital.token, { filter: { category: 'CYLINDER', search: 'concentrator' } });
    expect(both.totalCount).toBe(0);
  });

  it('takes % and _ in a search literally', async () => {
    expect((await list(hospital.token, { filter: { search: '%' } })).totalCount).toBe(
      (await list(hospital.token, { filter: { search: '82 %' } })).totalCount,
    );
    expect((await list(hospital.token, { filter: { search: '_' } })).totalCount).toBe(0);
  });

  it('refuses bad arguments naming them', async () => {
    for (const [variables, field] of [
      [{ first: 0 }, 'first'],
      [{ first: 101 }, 'first'],
      [{ after: 'not-a-cursor' }, 'after'],
      [{ filter: { search: 'x'.repeat(101) } }, 'filter.search'],
    ] as const) {
      const result = await t.gql({ query: PRODUCTS, variables, token: hospital.token });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });

  it('needs a signed-in caller', async () => {
    const result = await t.gql({ query: PRODUCTS });
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('managing the catalog', () => {
  const input = (sku: string) => ({
    sku,
    name: `Oxygen cylinder ${sku}`,
    category: 'CYLINDER',
    gas: 'oxygen',
    capacityLiters: 10,
    gasContentLiters: 2000,
    description: 'A 10 litre cylinder.',
  });

  it('lets a platform admin add a product', async () => {
    const result = await t.gql<{ createProduct: ProductResult }>({
      query: CREATE_PRODUCT,
      variables: { input: input('o2-cyl-10l') },
      token: admin.token,
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!.createProduct).toMatchObject({ sku: 'O2-CYL-10L', gas: 'OXYGEN', active: true });
    const again = await t.gql({
      query: CREATE_PRODUCT,
      variables: { input: input('O2-CYL-10L') },
      token: admin.token,
    });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.sku' });
  });

  it('refuses everyone else, whatever the router let through', async () => {
    for (const actor of [hospital, vendor]) {
      const result = await t.gql({
        query: CREATE_PRODUCT,
        variables: { input: input('O2-CYL-X1') },
        token: actor.token,
      });
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const [{ n }] = (await t.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM products WHERE sku = 'O2-CYL-X1'",
    )) as [{ n: number }];
    expect(n).toBe(0);
  });

  it('names the bad field and creates nothing', async () => {
    const before = await t.sql('SELECT * FROM products ORDER BY id');
    for (const [change, field] of [
      [{ sku: 'a b' }, 'input.sku'],
      [{ name: '  ' }, 'input.name'],
      [{ capacityLiters: -1 }, 'input.capacityLiters'],
      [{ gasContentLiters: 0 }, 'input.gasContentLiters'],
      [{ gas: 'O2 gas!' }, 'input.gas'],
      [{ description: 'x'.repeat(2001) }, 'input.description'],
    ] as const) {
      const result = await t.gql({
        query: CREATE_PRODUCT,
        variables: { input: { ...input('O2-CYL-BAD'), ...change } },
        token: admin.token,
      });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(await t.sql('SELECT * FROM products ORDER BY id')).toEqual(before);
  });

  it('deactivates a product: hidden from the catalog list, still there by id and for admins', async () => {
    const created = await t.gql<{ createProduct: ProductResult }>({
      query: CREATE_PRODUCT,
      variables: { input: input('O2-CYL-OLD') },
      token: admin.token,
    });
    const id = created.data!.createProduct.id;
    const updated = await t.gql<{ updateProduct: ProductResult }>({
      query: UPDATE_PRODUCT,
      variables: { id, input: { active: false, name: 'Old cylinder' } },
      token: admin.token,
    });
    expect(updated.data!.updateProduct).toMatchObject({ active: false, name: 'Old cylinder' });

    const search = { filter: { search: 'O2-CYL-OLD' } };
    expect((await list(hospital.token, search)).totalCount).toBe(0);
    expect((await list(admin.token, search)).totalCount).toBe(1);
    const byId = await t.gql<{ product: ProductResult }>({
      query: 'query ($id: ID!) { product(id: $id) { id active } }',
      variables: { id },
      token: hospital.token,
    });
    expect(byId.data!.product).toEqual({ id, active: false });

    const byVendor = await t.gql({
      query: UPDATE_PRODUCT,
      variables: { id, input: { active: true } },
      token: vendor.token,
    });
    expect(byVendor.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const missing = await t.gql({
      query: UPDATE_PRODUCT,
      variables: { id: '00000000-0000-4000-8000-000000000000', input: { active: true } },
      token: admin.token,
    });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const empty = await t.gql({ query: UPDATE_PRODUCT, variables: { id, input: {} }, token: admin.token });
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input' });
  });
});
