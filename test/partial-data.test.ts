// Partial data and honest errors (issue 10, item 7), every subgraph a real process and the router
// in production mode: a subgraph that goes down costs only the fields it serves. Each affected path
// gets SERVICE_UNAVAILABLE naming the subgraph (its public domain name, never a URL or host), and
// the fields other subgraphs served are kept: an entity field (Order.payment, from payments) at
// each order's path, a root field (orders, now nullable) at ["orders"] next to `me`.
import { join } from 'node:path';
import { subgraphUrlVariable } from '@flow/core';
import { createGraphQLClient, type GraphQLClient } from '@flow/testing';
import { startProcess, stopProcess, waitUntilReady, type ManagedProcess } from '../scripts/lib/processes';
import { createTestEnvironment, freePort, type PlatformTestEnvironment } from './environment';
import { ok, platformAdmin } from './support/actors';
import { orderClient } from './support/orders';
import { orderInput, productIds, setUpHospital, setUpVendor, type Hospital } from './support/ordering';

const SECRET = 'e2e-partial-data-router-signing-secret-0123456789';

let t: PlatformTestEnvironment;
let productionRouter: ManagedProcess | undefined;
let gql: GraphQLClient;
let hospital: Hospital;

const QUERY = '{ me { name } orders(first: 5) { edges { node { number payment { status } } } } }';

beforeAll(async () => {
  t = await createTestEnvironment({ ROUTER_SIGNING_SECRET: SECRET });
  const port = await freePort();
  productionRouter = startProcess(
    'router',
    join(__dirname, '..', 'router', 'src', 'server.ts'),
    {
      ...process.env,
      APOLLO_TELEMETRY_DISABLED: '1',
      FLOW_ENV: 'production',
      LOG_LEVEL: 'error',
      PORT: String(port),
      ROUTER_SIGNING_SECRET: SECRET,
      ...Object.fromEntries(
        Object.entries(t.subgraphs).map(([name, { url }]) => [subgraphUrlVariable(name), url]),
      ),
    },
    !process.env.E2E_VERBOSE,
  );
  await waitUntilReady(productionRouter, `http://127.0.0.1:${port}/health/ready`);
  gql = createGraphQLClient(`http://127.0.0.1:${port}/graphql`);

  const adminToken = await platformAdmin(t.gql);
  const [product] = await productIds(t.gql, adminToken, 1);
  const vendor = await setUpVendor(t.gql, adminToken, {
    productIds: [product!],
    onHand: 20,
    unitPrice: 5_000,
  });
  hospital = await setUpHospital(t.gql);
  const { placed } = orderClient(() => t);
  for (let i = 0; i < 2; i++) {
    await placed(
      hospital,
      orderInput(hospital, [{ productId: product!, quantity: 1 }], { vendorId: vendor.admin.organizationId }),
    );
  }
}, 180_000);

afterAll(async () => {
  if (productionRouter) await stopProcess(productionRouter);
  await t?.stop();
});

interface Orders {
  me: { name: string };
  orders: { edges: { node: { number: string; payment: { status: string } | null } }[] } | null;
}

it('keeps the orders when payments is down, with an error at each order’s payment; then keeps `me` when orders is down', async () => {
  const healthy = await ok<Orders>(gql, hospital.admin.token, QUERY);
  expect(healthy.orders?.edges).toHaveLength(2);
  expect(healthy.orders?.edges.map((e) => e.node.payment?.status)).toEqual(['AUTHORIZED', 'AUTHORIZED']);
  const numbers = healthy.orders!.edges.map((e) => e.node.number);

  // payments crashes: the orders stay, each payment is null with its own error.
  await t.stopSubgraph('payments', 'SIGKILL');
  const withoutPayments = await gql<Orders>({ query: QUERY, token: hospital.admin.token });
  expect(withoutPayments.data).toEqual({
    me: { name: healthy.me.name },
    orders: { edges: numbers.map((number) => ({ node: { number, payment: null } })) },
  });
  const unavailable = (service: string, path: (string | number)[]) => ({
    message: `The ${service} service is unavailable right now. Try again shortly.`,
    path,
    extensions: { code: 'SERVICE_UNAVAILABLE', service },
  });
  expect(withoutPayments.errors).toEqual([
    unavailable('payments', ['orders', 'edges', 0, 'node', 'payment']),
    unavailable('payments', ['orders', 'edges', 1, 'node', 'payment']),
  ]);

  // orders stops too: `orders` is null with one error at its path, `me` (users) is kept.
  await t.stopSubgraph('orders');
  const withoutOrders = await gql<Orders>({ query: QUERY, token: hospital.admin.token });
  expect(withoutOrders.data).toEqual({ me: { name: healthy.me.name }, orders: null });
  expect(withoutOrders.errors).toEqual([unavailable('orders', ['orders'])]);
  expect(JSON.stringify(withoutOrders)).not.toMatch(/127\.0\.0\.1|http:|ECONN|fetch failed/);
});
