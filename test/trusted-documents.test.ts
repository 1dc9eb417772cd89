// Issue 12, item 1 end to end: a hospital ERP integrates through the checked-in manifest of
// schema/clients/hospital-erp against the real router and every subgraph; what it may not send
// is refused before any subgraph is called (the router's own subgraph-call histogram).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createTestEnvironment, type PlatformTestEnvironment } from './environment';
import { platformAdmin } from './support/actors';
import { productIds, setUpHospital, setUpVendor, type Hospital } from './support/ordering';

const root = join(__dirname, '..');
const manifestIds = (client: string) =>
  new Map(
    (
      JSON.parse(readFileSync(join(root, 'schema', 'clients', client, 'manifest.json'), 'utf8')) as {
        operations: { id: string; name: string }[];
      }
    ).operations.map((operation) => [operation.name, operation.id]),
  );
const erp = manifestIds('hospital-erp');
const logistics = manifestIds('logistics-integrator');

let t: PlatformTestEnvironment;
let hospital: Hospital;
let productId: string;

beforeAll(async () => {
  t = await createTestEnvironment();
  const adminToken = await platformAdmin(t.gql);
  hospital = await setUpHospital(t.gql);
  productId = (await productIds(t.gql, hospital.admin.token, 1))[0]!;
  await setUpVendor(t.gql, adminToken, { productIds: [productId], onHand: 50, unitPrice: 2000 });
});
afterAll(() => t?.stop());

/** Calls the router has made to subgraphs so far. */
async function subgraphCalls() {
  const text = await (await fetch(new URL('/metrics', t.routerUrl))).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('flow_router_subgraph_request_duration_seconds_count'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function asErp(request: { body?: Record<string, unknown>; get?: Record<string, string> }) {
  const headers = {
    authorization: `Bearer ${hospital.admin.token}`,
    'apollographql-client-name': 'hospital-erp',
  };
  const response = request.get
    ? await fetch(`${t.routerUrl}?${new URLSearchParams(request.get).toString()}`, {
        headers: { ...headers, 'apollo-require-preflight': 'true' },
      })
    : await fetch(t.routerUrl, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(request.body),
      });
  const body = (await response.json()) as {
    data?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    errors?: { extensions?: { code?: string } }[];
  };
  return {
    status: response.status,
    data: body.data,
    code: body.errors?.[0]?.extensions?.code,
    errors: body.errors,
  };
}

it('runs its listed operations by id: catalog, offers, an order placed and read back (POST and GET)', async () => {
  const products = await asErp({ body: { documentId: erp.get('ErpProducts'), variables: { first: 5 } } });
  expect(products.status).toBe(200);
  expect(products.data?.products.edges.length).toBeGreaterThan(0);

  const offers = await asErp({
    get: {
      documentId: erp.get('ErpCompareOffers')!,
      variables: JSON.stringify({ productId, quantity: 2, siteId: hospital.siteId }),
    },
  });
  expect(offers.status).toBe(200);
  expect(offers.data?.compareOffers.length).toBeGreaterThan(0);

  const placed = await asErp({
    body: {
      documentId: erp.get('ErpPlaceOrder'),
      variables: {
        idempotencyKey: randomUUID(),
        input: {
          siteId: hospital.siteId,
          items: [{ productId, quantity: 2 }],
          payment: { method: 'CARD', cardToken: 'tok_visa' },
        },
      },
    },
  });
  expect(placed.errors).toBeUndefined();
  const orderId = placed.data?.placeOrder.id as string;

  const read = await asErp({
    get: {
      extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: erp.get('ErpOrder') } }),
      variables: JSON.stringify({ id: orderId }),
    },
  });
  expect(read.status).toBe(200);
  expect(read.data?.order).toMatchObject({
    id: orderId,
    items: [{ product: { id: productId }, quantity: 2 }],
  });
});

it('free text, unknown ids and another client’s ids are refused, and reach no subgraph', async () => {
  const before = await subgraphCalls();
  expect(await asErp({ body: { query: '{ products(first: 1) { totalCount } }' } })).toMatchObject({
    status: 400,
    code: 'PERSISTED_QUERY_NOT_IN_LIST',
  });
  expect(await asErp({ body: { documentId: 'f'.repeat(64) } })).toMatchObject({
    status: 400,
    code: 'PERSISTED_QUERY_NOT_FOUND',
  });
  expect(
    await asErp({ get: { documentId: logistics.get('LogisticsOrderDelivery')!, variables: '{"id":"x"}' } }),
  ).toMatchObject({ status: 400, code: 'PERSISTED_QUERY_NOT_FOUND' });
  expect(await subgraphCalls()).toBe(before);
});
