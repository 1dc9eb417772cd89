// The load of bench:footprint: the demo hospital admin (seeded by `npm start`) asking through the
// router what a hospital asks, across every subgraph, and placing an order every tenth request
// (orders, inventory, payments, and the events to notifications). Every answer must be free of
// errors: a platform that answers fast with errors has not done the work.
import { randomUUID } from 'node:crypto';
import { createGraphQLClient, type GraphQLClient } from '@flow/testing';
import { demoAccounts } from '@flow/users/demo-accounts';

export interface LoadResult {
  /** Milliseconds per request, in the order they finished. */
  reads: number[];
  orders: number[];
  seconds: number;
}

const CLIENTS = 4;

const READS = [
  '{ me { name organization { name } } unreadNotificationCount }',
  '{ sites(kind: HOSPITAL_SITE) { edges { node { id name } } } }',
  '{ products(first: 10) { edges { node { id name sku } } } }',
  'query ($p: ID!, $s: ID!) { compareOffers(productId: $p, quantity: 1, siteId: $s, priority: URGENT) { vendor { name } total { amountMinor currency } etaMinutes } }',
  '{ orders(first: 5) { edges { node { number status total { amountMinor } payment { status } } } } }',
  '{ invoices(first: 5) { edges { node { id } } } }',
  '{ notifications(first: 5) { edges { node { id } } } }',
];
const PLACE_ORDER =
  'mutation ($key: String!, $s: ID!, $p: ID!) { placeOrder(idempotencyKey: $key, input: { siteId: $s, priority: URGENT, items: [{ productId: $p, quantity: 1 }], payment: { method: CARD, cardToken: "tok_visa" } }) { number status } }';

async function ask<Data>(gql: GraphQLClient, token: string | undefined, query: string, variables = {}) {
  const result = await gql<Data>({ query, variables, token });
  if (result.errors?.length || !result.data) {
    throw new Error(`bench load: ${query.slice(0, 60)}: ${JSON.stringify(result.errors)}`);
  }
  return result.data;
}

export async function driveLoad(routerUrl: string, requests: number): Promise<LoadResult> {
  const gql = createGraphQLClient(routerUrl);
  const hospital = demoAccounts.find((account) => account.role === 'HOSPITAL_ADMIN')!;
  const { login } = await ask<{ login: { accessToken: string } }>(
    gql,
    undefined,
    'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }',
    { email: hospital.email, password: hospital.password },
  );
  const token = login.accessToken;
  const lookup = await ask<{
    sites: { edges: { node: { id: string } }[] };
    products: { edges: { node: { id: string } }[] };
  }>(
    gql,
    token,
    '{ sites(kind: HOSPITAL_SITE) { edges { node { id } } } products(filter: { category: CYLINDER }, first: 1) { edges { node { id } } } }',
  );
  const variables = { s: lookup.sites.edges[0]!.node.id, p: lookup.products.edges[0]!.node.id };
  const reads: number[] = [];
  const orders: number[] = [];
  let next = 0;
  const client = async () => {
    for (let i = next++; i < requests; i = next++) {
      const order = i % 10 === 9;
      const started = performance.now();
      if (order) await ask(gql, token, PLACE_ORDER, { ...variables, key: `bench-${randomUUID()}` });
      else await ask(gql, token, READS[i % READS.length]!, variables);
      (order ? orders : reads).push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return { reads, orders, seconds: (performance.now() - started) / 1000 };
}
