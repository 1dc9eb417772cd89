// Item 1 of issue 10 against a production router: the fragment bombs (2^20, 2^21), the nested
// Organization.users(first: 40) recursion and 30 aliased compareOffers are refused with a stable
// code over POST, GET, SSE and WebSocket, before validation and planning, and no subgraph is called.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import WebSocket from 'ws';
import type { RunningRouter } from '../src/router';
import {
  graphql,
  metric as routerMetric,
  repositoryRoot,
  startRouterFixture,
  type RouterFixture,
  type TestSubgraph,
} from './support';
import { eventStream } from './usage-support';

/** The document: F(i) spreads F(i-1) twice, so `{ ...F<n> }` expands to 2^n fields. */
function fragmentBomb(levels: number): string {
  let text = 'fragment F0 on Query { __typename }\n';
  for (let i = 1; i <= levels; i += 1)
    text += `fragment F${i} on Query { ...F${i - 1} ... on Query { ...F${i - 1} } }\n`;
  return `${text}{ ...F${levels} }`;
}

const ATTACKS: { name: string; query: string; code: string; reason: string }[] = [
  {
    name: 'the 2^20 fragment bomb',
    query: fragmentBomb(20),
    code: 'TOO_MANY_SELECTIONS',
    reason: 'selections',
  },
  {
    name: 'the 2^21 fragment bomb',
    query: fragmentBomb(21),
    code: 'TOO_MANY_SELECTIONS',
    reason: 'selections',
  },
  {
    // Validation would refuse it too, but only after walking it: the budget comes first.
    name: 'a 2^20 fragment bomb of unknown fields',
    query: fragmentBomb(20).replace('{ __typename }', '{ notAField }'),
    code: 'TOO_MANY_SELECTIONS',
    reason: 'selections',
  },
  {
    // Never planned, but validation would walk it: every definition must fit.
    name: 'a 2^20 fragment bomb nobody spreads, beside a small operation',
    query: fragmentBomb(20).replace('{ ...F20 }', 'query Small { __typename }'),
    code: 'TOO_MANY_SELECTIONS',
    reason: 'selections',
  },
  {
    name: 'the nested users(first: 40) recursion',
    query:
      '{ me { organization { users(first: 40) { edges { node { organization { users(first: 40) { edges { node { id name email } } } } } } } } } }',
    code: 'COST_LIMIT_EXCEEDED',
    reason: 'cost',
  },
  {
    name: '30 aliased compareOffers',
    query: `{ ${Array.from(
      { length: 30 },
      (_, i) =>
        `o${i}: compareOffers(productId: "p-1", quantity: 10, siteId: "s-1") { vendor { name } total { amountMinor currency } }`,
    ).join(' ')} }`,
    code: 'COST_LIMIT_EXCEEDED',
    reason: 'cost',
  },
];

let fixture: RouterFixture;
let subgraph: TestSubgraph;
let router: RunningRouter;
let token: string;

/**
 * users (the test subgraph) and pricing in one supergraph, with locations, whose Site.name pricing
 * provides (neither is started: nothing may call them).
 */
function usersAndPricingSupergraph(): string {
  const services = ['users', 'pricing', 'locations'].map((name) => ({
    name,
    url: `http://127.0.0.1:9/${name}`,
    typeDefs: parse(readFileSync(join(repositoryRoot, 'schema', `${name}.graphql`), 'utf8')),
  }));
  const result = composeServices(services);
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  const path = join(mkdtempSync(join(tmpdir(), 'flow-budget-test-')), 'supergraph.graphql');
  writeFileSync(path, result.supergraphSdl);
  return path;
}

beforeAll(async () => {
  fixture = await startRouterFixture('budget-key', { production: true });
  subgraph = fixture.subgraph;
  router = await fixture.startRouter({
    FLOW_ENV: 'production',
    SUPERGRAPH_PATH: usersAndPricingSupergraph(),
    PRICING_URL: 'http://127.0.0.1:9/graphql',
  });
  token = await fixture.token({ role: 'HOSPITAL_ADMIN' });
});

afterAll(() => fixture?.stop());

const metric = (name: string, labels = '') => routerMetric(router.url, name, labels);

/** Calls the router made to any subgraph (the router's own histogram) and POSTs the users subgraph saw. */
const subgraphCalls = async () =>
  (await metric('flow_router_subgraph_request_duration_seconds_count')) + subgraph.hits();

interface Refusal {
  status: number | null;
  code: unknown;
}

const firstCode = (body: { errors?: { extensions?: { code?: unknown } }[] } | undefined) =>
  body?.errors?.[0]?.extensions?.code;

const transports: Record<string, (query: string) => Promise<Refusal>> = {
  POST: async (query) => {
    const result = await graphql(router.url, query, { token });
    return { status: result.status, code: firstCode(result.body) };
  },
  GET: async (query) => {
    const response = await fetch(`${router.url}?query=${encodeURIComponent(query)}`, {
      headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
    });
    return { status: response.status, code: firstCode((await response.json()) as never) };
  },
  SSE: async (query) => {
    const response = await eventStream(router.url, query, { token });
    // Refused as a whole before any stream starts: a JSON answer with HTTP's status.
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    return { status: response.status, code: firstCode((await response.json()) as never) };
  },
  WebSocket: (query) =>
    new Promise<Refusal>((resolve, reject) => {
      const socket = new WebSocket(router.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      socket.on('open', () =>
        socket.send(
          JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }),
        ),
      );
      socket.on('message', (raw) => {
        const message = JSON.parse(raw.toString()) as { type: string; id?: string; payload?: unknown };
        if (message.type === 'connection_ack')
          socket.send(JSON.stringify({ id: 'attack', type: 'subscribe', payload: { query } }));
        if (message.id !== 'attack') return;
        // graphql-ws answers a refused operation with `error` (a list) or `next` with errors.
        const payload = message.payload as never;
        const code = message.type === 'error' ? firstCode({ errors: payload }) : firstCode(payload);
        socket.close();
        resolve({ status: null, code });
      });
      socket.on('close', (code, reason) => reject(new Error(`socket closed: ${code} ${reason.toString()}`)));
      socket.on('error', reject);
    }),
};

describe.each(Object.keys(transports))('over %s', (transport) => {
  it.each(ATTACKS)('refuses $name with $code before planning, calling no subgraph', async (attack) => {
    const callsBefore = await subgraphCalls();
    const refusedBefore = await metric('flow_router_operations_refused_total', `reason="${attack.reason}"`);
    const refusal = await transports[transport]!(attack.query);
    expect(refusal.code).toBe(attack.code);
    if (refusal.status !== null) expect(refusal.status).toBe(400);
    expect(await subgraphCalls()).toBe(callsBefore);
    expect(await metric('flow_router_operations_refused_total', `reason="${attack.reason}"`)).toBe(
      refusedBefore + 1,
    );
  });
});

describe('admitted operations', () => {
  it('carry their cost estimate in extensions.cost over HTTP and SSE', async () => {
    const query = '{ me { id organization { id users(first: 5) { edges { node { id } } } } } }';
    const result = await graphql(router.url, query, { token });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ extensions: { cost: { estimated: 2 + 1 + 5 * 2, maximum: 2500 } } });

    const response = await eventStream(router.url, query, { token });
    const data = /event: next\ndata: (.*)\n/.exec(await response.text())?.[1];
    expect(JSON.parse(data ?? '{}')).toMatchObject({
      extensions: { cost: { estimated: 13, maximum: 2500 } },
    });
  });
});
