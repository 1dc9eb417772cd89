import { randomUUID } from 'node:crypto';
import { createTestEnvironment, type InventoryTestEnvironment, type Actor } from './support/environment';

// Entity references from other subgraphs arrive as lists; they must cost a fixed number of
// statements however long the list is, entity hops (stock -> product, stock -> depot) included.
let t: InventoryTestEnvironment;
const statements: string[] = [];
let hospital: Actor;
let productIds: string[];
const depotIds = Array.from({ length: 30 }, () => randomUUID());

beforeAll(async () => {
  t = await createTestEnvironment({ onQuery: (sql) => statements.push(sql) });
  hospital = await t.actor('HOSPITAL_STAFF');
  const vendorOrganization = randomUUID();
  // Rows straight in the tables: this measures reads, and the writes have tests of their own.
  await t.sql(
    `INSERT INTO products (id, sku, name, category, updated_at)
     SELECT gen_random_uuid(), 'BATCH-' || i, 'Batch product ' || i, 'REGULATOR', now() FROM generate_series(1, 20) i`,
  );
  productIds = (await t.sql<{ id: string }>('SELECT id FROM products ORDER BY sku LIMIT 30')).map(
    (p) => p.id,
  );
  await t.sql('INSERT INTO depots (id, organization_id) SELECT unnest($1::uuid[]), $2', [
    depotIds,
    vendorOrganization,
  ]);
  // Every product at two depots, every depot with two products.
  await t.sql(
    `INSERT INTO stock_levels (depot_id, product_id, vendor_organization_id, on_hand, reserved, updated_at)
     SELECT d.id, p.id, $3, 10 + d.n, d.n % 3, now()
     FROM unnest($1::uuid[]) WITH ORDINALITY AS d(id, n)
     JOIN unnest($2::uuid[]) WITH ORDINALITY AS p(id, n) ON p.n = d.n OR p.n = (d.n % 30) + 1`,
    [depotIds, productIds, vendorOrganization],
  );
});
afterAll(() => t?.stop());

async function statementsFor(query: string, representations: { __typename: string; id: string }[]) {
  statements.length = 0;
  const result = await t.gql<{ _entities: { id: string }[] }>({
    query,
    variables: { r: representations },
    token: hospital.token,
  });
  expect(result.errors).toBeUndefined();
  expect(result.data!._entities.map((e) => e.id)).toEqual(representations.map((r) => r.id));
  return statements.length;
}

const PRODUCTS_WITH_STOCK = `query ($r: [_Any!]!) { _entities(representations: $r) {
  ... on Product { id sku name stockLevels { depot { id } product { id name } onHand available belowReorderLevel } }
} }`;

const DEPOTS_WITH_STOCK = `query ($r: [_Any!]!) { _entities(representations: $r) {
  ... on Site { id stock { depot { id } product { id sku category } onHand reserved available } }
} }`;

describe('entity resolution batching', () => {
  it('uses the same number of statements for 1 product and for 30 products with their stock', async () => {
    const refs = productIds.map((id) => ({ __typename: 'Product', id }));
    const one = await statementsFor(PRODUCTS_WITH_STOCK, refs.slice(0, 1));
    const thirty = await statementsFor(PRODUCTS_WITH_STOCK, refs);
    expect(one).toBeGreaterThan(0);
    expect(thirty).toBe(one);
  });

  it('uses the same number of statements for 1 depot and for 30 depots with their stock', async () => {
    const refs = depotIds.map((id) => ({ __typename: 'Site', id }));
    const one = await statementsFor(DEPOTS_WITH_STOCK, refs.slice(0, 1));
    const thirty = await statementsFor(DEPOTS_WITH_STOCK, refs);
    expect(one).toBeGreaterThan(0);
    expect(thirty).toBe(one);
  });

  it('lists a page of products with their stock in a fixed number of statements', async () => {
    const count = async (first: number) => {
      statements.length = 0;
      const result = await t.gql({
        query: `query ($first: Int) { products(first: $first) { edges { node { id stockLevels { product { id } onHand } } } } }`,
        variables: { first },
        token: hospital.token,
      });
      expect(result.errors).toBeUndefined();
      return statements.length;
    };
    expect(await count(30)).toBe(await count(1));
  });
});
