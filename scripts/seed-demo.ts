// Demo catalog data for `npm start`, made through the public API as a person would: the demo
// hospital gets a site (geocoded from its address), the demo vendor a depot, delivery terms,
// stock and prices. Idempotent: once the demo depot exists, nothing is touched again (the demo
// vendor may have changed its stock and prices since).
import { demoAccounts } from '@flow/users/demo-accounts';

/** The router's GraphQL endpoint, asked with plain fetch: `npm start`'s supervisor stays small. */
type GraphQLClient = string;

const USD = (amountMinor: number) => ({ amountMinor, currency: 'USD' });

/** The demo vendor's stock and prices, by SKU prefix of the seeded catalog. */
const demoAssortment = [
  {
    category: 'CYLINDER',
    onHand: 120,
    reorderLevel: 20,
    unitPrice: 4_500,
    tiers: [{ minQuantity: 10, unitPrice: USD(4_100) }],
  },
  { category: 'LIQUID_OXYGEN', onHand: 8, reorderLevel: 2, unitPrice: 38_000, tiers: [] },
  { category: 'CONCENTRATOR', onHand: 15, reorderLevel: 3, unitPrice: 62_000, tiers: [] },
  {
    category: 'REGULATOR',
    onHand: 60,
    reorderLevel: 10,
    unitPrice: 3_200,
    tiers: [{ minQuantity: 20, unitPrice: USD(2_900) }],
  },
] as const;

async function call<Data>(
  gql: GraphQLClient,
  token: string | undefined,
  query: string,
  variables?: Record<string, unknown>,
) {
  const response = await fetch(gql, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const result = (await response.json()) as {
    data?: Data | null;
    errors?: { message: string; extensions?: { code?: unknown } }[];
  };
  if (result.errors?.length || !result.data) {
    throw new Error(
      `demo seed: ${result.errors?.map((e) => `${e.message} (${String(e.extensions?.code)})`).join('; ')}`,
    );
  }
  return result.data;
}

async function login(gql: GraphQLClient, account: { email: string; password: string }) {
  const data = await call<{ login: { accessToken: string } }>(
    gql,
    undefined,
    'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }',
    account,
  );
  return data.login.accessToken;
}

async function ensureSite(
  gql: GraphQLClient,
  token: string,
  kind: 'HOSPITAL_SITE' | 'DEPOT',
  input: Record<string, unknown>,
) {
  const existing = await call<{ sites: { edges: { node: { id: string } }[] } }>(
    gql,
    token,
    'query ($kind: SiteKind) { sites(kind: $kind, first: 1) { edges { node { id } } } }',
    { kind },
  );
  const found = existing.sites.edges[0]?.node.id;
  if (found) return { id: found, created: false };
  const created = await call<{ createSite: { id: string } }>(
    gql,
    token,
    'mutation ($input: CreateSiteInput!) { createSite(input: $input) { id } }',
    { input: { kind, ...input } },
  );
  return { id: created.createSite.id, created: true };
}

export async function seedDemoCatalog(routerUrl: string): Promise<void> {
  const gql = routerUrl;
  const [hospital, vendor] = demoAccounts;
  // Side by side: on every start but the first, these four calls are all the seed does.
  const [hospitalToken, vendorToken] = await Promise.all([login(gql, hospital), login(gql, vendor)]);
  const [, depot] = await Promise.all([
    ensureSite(gql, hospitalToken, 'HOSPITAL_SITE', {
      name: 'St. Mary General Hospital, main campus',
      address: { line1: '1 Hospital Road', city: 'Nairobi', country: 'KE' },
    }),
    ensureSite(gql, vendorToken, 'DEPOT', {
      name: 'AirLife Industrial Area depot',
      address: { line1: 'Enterprise Road', city: 'Nairobi', country: 'KE' },
      position: { lat: -1.3087, lng: 36.8516 },
    }),
  ]);
  if (!depot.created) return;
  const depotId = depot.id;

  await call(
    gql,
    vendorToken,
    'mutation ($input: SetDeliveryTermsInput!) { setDeliveryTerms(input: $input) { maxDistanceKm } }',
    {
      input: {
        baseFee: USD(1_500),
        perKmFee: USD(120),
        urgentSurcharge: USD(2_000),
        emergencySurcharge: USD(5_000),
        maxDistanceKm: 150,
      },
    },
  );
  for (const item of demoAssortment) {
    const products = await call<{ products: { edges: { node: { id: string } }[] } }>(
      gql,
      vendorToken,
      'query ($category: ProductCategory) { products(filter: { category: $category }, first: 3) { edges { node { id } } } }',
      { category: item.category },
    );
    for (const { node } of products.products.edges) {
      await call(
        gql,
        vendorToken,
        'mutation ($input: SetStockInput!) { setStock(input: $input) { available } }',
        { input: { depotId, productId: node.id, onHand: item.onHand, reorderLevel: item.reorderLevel } },
      );
      await call(gql, vendorToken, 'mutation ($input: SetPriceInput!) { setPrice(input: $input) { id } }', {
        input: { productId: node.id, unitPrice: USD(item.unitPrice), tiers: item.tiers },
      });
    }
  }
}

// Run by itself (the one-shot `seed` job of docker-compose.yml): seed-demo.ts <router GraphQL URL>.
if (require.main === module) {
  seedDemoCatalog(process.argv[2] ?? 'http://127.0.0.1:8000/graphql').then(
    () => console.log('demo catalog seeded'),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
