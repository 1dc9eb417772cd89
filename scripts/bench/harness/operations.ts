// Scenario 3, Flow's own operations on a seeded data set (seed.ts): order detail, orders(first: 50)
// with federated fields and compareOffers under load; SQL statements per request at growing list
// sizes (they must not grow with the list); placeOrder under contention, then the oversell check.
import type { GraphQLClient } from '@flow/testing';
import { subgraphCatalog } from '@flow/core';
import { ACTOR_PASSWORD, approve, login, ok } from '../../../test/support/actors';
import { HOSPITAL_POSITION, setUpHospital, setUpVendor, PLACE_ORDER } from '../../../test/support/ordering';
import { compare, type CompareOptions, type SystemFigures } from './compare';
import type { FlowPlatform } from './flow-platform';
import { autocannon, type LoadResult } from './load';
import { cpuMsOf, postgresServer } from './processes';
import { FULL_SEED, OFFER_SIZES, QUICK_SEED, seed, type SeededData } from './seed';

export const ORDER_DETAIL = `query OrderDetail($id: ID!) { order(id: $id) {
  number status priority total { amountMinor currency } subtotal { amountMinor } deliveryFee { amountMinor }
  hospital { name } site { name } vendor { name } depot { name }
  items { product { name sku } quantity unitPrice { amountMinor } lineTotal { amountMinor } }
  statusHistory { status at }
} }`;
export const ORDERS_LIST = `query Orders($first: Int) { orders(first: $first) { edges { node {
  id number status total { amountMinor currency } vendor { name }
  items { product { name } quantity }
} } } }`;
export const COMPARE_OFFERS = `query Offers($productId: ID!, $siteId: ID!) {
  compareOffers(productId: $productId, quantity: 1, siteId: $siteId, priority: URGENT) {
    vendor { name } depot { name } total { amountMinor currency } etaMinutes
  }
}`;

/**
 * orders(first:) stops at 100 (MAX_PAGE_SIZE), and at 100 the list with its sites would exceed the
 * default operation budget (2,500): the list selects vendor and product, not site.
 * compareOffers compares at most the 100 nearest depots (MAX_DEPOTS) of however many vendors.
 */
const ORDER_LIST_SIZES = [10, 50, 100];

export interface StatementCounts {
  operation: string;
  /** List size -> SQL statements per request, summed over every subgraph (fewest of the repetitions). */
  bySize: Record<string, number>;
  bySubgraph: Record<string, Record<string, number>>;
  flat: boolean;
}

export interface OperationsResult {
  seed: Omit<SeededData, 'vendorIds' | 'ownOrderIds'>;
  statementCounts: StatementCounts[];
  load: SystemFigures[];
  placeOrder: {
    attempts: number;
    placed: number;
    refused: number;
    load: LoadResult;
    cpuMsPerRequest: Record<string, number>;
    initialOnHand: number;
    check: { onHand: number; reserved: number; heldReservations: number; committed: number; ok: boolean };
  };
}

async function statementsNow(platform: FlowPlatform): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { name } of subgraphCatalog) counts[name] = await platform.statements(name);
  return counts;
}

/** SQL statements of one request, per subgraph: the fewest over `repeat` (a background job only adds). */
async function statementsOf(
  platform: FlowPlatform,
  run: () => Promise<unknown>,
  repeat = 3,
): Promise<Record<string, number>> {
  let best: Record<string, number> | undefined;
  for (let i = 0; i < repeat; i++) {
    const before = await statementsNow(platform);
    await run();
    const after = await statementsNow(platform);
    const delta = Object.fromEntries(Object.keys(after).map((name) => [name, after[name]! - before[name]!]));
    const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    if (!best || total(delta) < total(best)) best = delta;
  }
  return Object.fromEntries(Object.entries(best!).filter(([, count]) => count > 0));
}

export async function runOperations(
  platform: FlowPlatform,
  gql: GraphQLClient,
  options: CompareOptions & { quick: boolean },
): Promise<OperationsResult> {
  const adminToken = await login(gql, platform.admin.email, platform.admin.password);
  const hospital = await setUpHospital(gql);
  await approve(gql, adminToken, hospital.admin.organizationId).catch(() => undefined);
  const token = hospital.admin.token;

  console.log('  seeding ...');
  const data = await seed(platform, options.quick ? QUICK_SEED : FULL_SEED, {
    organizationId: hospital.admin.organizationId,
    userId: hospital.admin.userId,
    siteId: hospital.siteId,
    position: HOSPITAL_POSITION,
  });
  console.log(
    `  seeded ${data.size.vendors} vendors (depots, stock, prices), ${data.size.hospitals} hospitals, ${data.size.orders} orders in ${data.seconds.toFixed(1)} s`,
  );

  const query = <T>(text: string, variables: Record<string, unknown>) => ok<T>(gql, token, text, variables);
  const statementCounts: StatementCounts[] = [];
  const measureSizes = async (operation: string, sizes: [string, () => Promise<unknown>][]) => {
    const bySubgraph: Record<string, Record<string, number>> = {};
    for (const [size, run] of sizes) {
      await run(); // plans and caches warm
      bySubgraph[size] = await statementsOf(platform, run);
    }
    const bySize = Object.fromEntries(
      Object.entries(bySubgraph).map(([size, counts]) => [
        size,
        Object.values(counts).reduce((a, b) => a + b, 0),
      ]),
    );
    const totals = Object.values(bySize);
    const entry = { operation, bySize, bySubgraph, flat: Math.max(...totals) === Math.min(...totals) };
    statementCounts.push(entry);
    console.log(
      `  SQL statements per request, ${operation}: ${JSON.stringify(bySize)} ${entry.flat ? 'flat' : 'NOT FLAT'}`,
    );
  };
  await measureSizes(
    'compareOffers (priced vendors)',
    data.offerProducts.map(({ productId, vendors }) => [
      String(vendors),
      async () => {
        const result = await query<{ compareOffers: unknown[] }>(COMPARE_OFFERS, {
          productId,
          siteId: hospital.siteId,
        });
        if (result.compareOffers.length === 0)
          throw new Error(`compareOffers found no offer among ${vendors} vendors`);
      },
    ]),
  );
  await measureSizes(
    'orders(first: n)',
    ORDER_LIST_SIZES.map((first) => [
      String(first),
      async () => {
        const result = await query<{ orders: { edges: unknown[] } }>(ORDERS_LIST, { first });
        if (result.orders.edges.length !== first)
          throw new Error(`orders(first: ${first}) gave ${result.orders.edges.length}`);
      },
    ]),
  );

  // Under load, interleaved: one order's detail, a page of 50 orders, offers among 100 vendors.
  // Each request in turn as another of the hospital's sessions (one per connection): the router
  // shares calls only among identical queries of one token in flight, which one token at every
  // connection would measure instead of the work of many viewers.
  const sessions = [token];
  while (sessions.length < options.connections)
    sessions.push(await login(gql, hospital.admin.email, ACTOR_PASSWORD));
  const request = (text: string, variables: Record<string, unknown>) => () => ({
    url: platform.routerUrl,
    body: JSON.stringify({ query: text, variables }),
    authorizations: sessions.map((session) => `Bearer ${session}`),
  });
  const processes = {
    router: platform.router,
    ...Object.fromEntries(subgraphCatalog.map(({ name }) => [name, platform.subgraphs[name]!.process])),
    postgres: postgresServer,
  };
  const subgraphCalls = async () => {
    let calls = 0;
    for (const { name } of subgraphCatalog) calls += await platform.calls(name);
    return calls;
  };
  await query(ORDER_DETAIL, { id: data.ownOrderIds[0] });
  const load = await compare(
    [
      {
        name: 'order detail',
        request: request(ORDER_DETAIL, { id: data.ownOrderIds[0] }),
        processes,
        subgraphCalls,
      },
      { name: 'orders(first: 50)', request: request(ORDERS_LIST, { first: 50 }), processes, subgraphCalls },
      {
        name: `compareOffers (${OFFER_SIZES[1]})`,
        request: request(COMPARE_OFFERS, {
          productId: data.offerProducts[1]!.productId,
          siteId: hospital.siteId,
        }),
        processes,
        subgraphCalls,
      },
    ],
    options,
  );

  const placeOrder = await contendedPlacement(platform, gql, adminToken, hospital, data, options);
  const { vendorIds: _v, ownOrderIds: _o, ...seedSummary } = data;
  return { seed: seedSummary, statementCounts, load, placeOrder };
}

/** Many placeOrders for one product of one vendor at once, more than its stock; then nothing is oversold. */
async function contendedPlacement(
  platform: FlowPlatform,
  gql: GraphQLClient,
  adminToken: string,
  hospital: Awaited<ReturnType<typeof setUpHospital>>,
  data: SeededData,
  options: { quick: boolean; connections: number },
): Promise<OperationsResult['placeOrder']> {
  const initialOnHand = options.quick ? 20 : 100;
  const attempts = initialOnHand * 2;
  const vendor = await setUpVendor(gql, adminToken, {
    productIds: [data.contendedProductId],
    onHand: initialOnHand,
    unitPrice: 4000,
  });
  const body = JSON.stringify({
    query: PLACE_ORDER,
    variables: {
      key: 'bench-[<id>]',
      input: {
        siteId: hospital.siteId,
        items: [{ productId: data.contendedProductId, quantity: 1 }],
        priority: 'URGENT',
        payment: { method: 'CARD', cardToken: 'tok_visa' },
      },
    },
  });
  const cpuBefore = Object.fromEntries(
    ['router', 'orders', 'inventory', 'pricing', 'payments'].map((name) => [
      name,
      cpuMsOf(name === 'router' ? platform.router : platform.subgraphs[name]!.process),
    ]),
  );
  const load = await autocannon(
    { url: platform.routerUrl, body, headers: { authorization: `Bearer ${hospital.admin.token}` } },
    options.connections,
    0,
    { amount: attempts },
  );
  const cpuMsPerRequest = Object.fromEntries(
    Object.entries(cpuBefore).map(([name, before]) => [
      name,
      (cpuMsOf(name === 'router' ? platform.router : platform.subgraphs[name]!.process) - before) / attempts,
    ]),
  );
  const [placed] = await platform.sql<{ count: string }>(
    'orders',
    `SELECT count(*) FROM orders o JOIN order_items i ON i.order_id = o.id
     WHERE o.vendor_organization_id = $1 AND o.status NOT IN ('FAILED', 'REJECTED', 'CANCELLED')`,
    [vendor.admin.organizationId],
  );
  const [level] = await platform.sql<{ on_hand: number; reserved: number }>(
    'inventory',
    'SELECT on_hand, reserved FROM stock_levels WHERE depot_id = $1 AND product_id = $2',
    [vendor.depotId, data.contendedProductId],
  );
  const [holds] = await platform.sql<{ held: string; committed: string }>(
    'inventory',
    `SELECT coalesce(sum(quantity) FILTER (WHERE status = 'HELD'), 0) AS held,
            coalesce(sum(quantity) FILTER (WHERE status = 'COMMITTED'), 0) AS committed
     FROM reservations WHERE depot_id = $1 AND product_id = $2`,
    [vendor.depotId, data.contendedProductId],
  );
  const check = {
    onHand: level!.on_hand,
    reserved: level!.reserved,
    heldReservations: Number(holds!.held),
    committed: Number(holds!.committed),
    ok: false,
  };
  check.ok =
    check.onHand >= 0 &&
    check.reserved >= 0 &&
    check.reserved === check.heldReservations &&
    Number(placed!.count) <= initialOnHand;
  console.log(
    `  placeOrder x${attempts} at ${options.connections} connections on ${initialOnHand} in stock: ${placed!.count} placed; stock ${JSON.stringify(check)}`,
  );
  return {
    attempts,
    placed: Number(placed!.count),
    refused: attempts - Number(placed!.count),
    load,
    cpuMsPerRequest,
    initialOnHand,
    check,
  };
}
