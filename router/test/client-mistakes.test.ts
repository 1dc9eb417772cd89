// Item 7 of issue 10: every client mistake over HTTP (POST and GET) is a 4xx with a stable code, in
// development and in production (where unknown codes are masked as INTERNAL_SERVER_ERROR), and no
// subgraph is called. The router runs on the real supergraph; every subgraph URL points at a
// server that only counts calls.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SUSPENDED_ORGANIZATIONS_PATH, subgraphCatalog, subgraphUrlVariable } from '@flow/core';
import type { RunningRouter } from '../src/router';
import {
  newSigningKey,
  repositoryRoot,
  signToken,
  startKeyServer,
  startTestRouter,
  type KeyServer,
} from './support';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** `{ ...F<depth> }` where each fragment spreads the previous one twice: 2^depth selections. */
function fragmentBomb(depth: number): string {
  const fragments = ['fragment F0 on Query { __typename }'];
  for (let i = 1; i <= depth; i++)
    fragments.push(`fragment F${i} on Query { ...F${i - 1} ... on Query { ...F${i - 1} } }`);
  return `${fragments.join('\n')}\n{ ...F${depth} }`;
}

interface Case {
  name: string;
  /** Appended to /graphql (GET parameters). */
  search?: string;
  method?: 'GET' | 'POST' | 'PUT';
  /** A JSON value (stringified) or the raw body text. */
  body?: unknown;
  raw?: string;
  contentType?: string;
  status: number;
  code: string;
  /** `extensions.field` of the refusal, when it names one. */
  field?: string;
}

const get = (parameters: Record<string, string>) => `?${new URLSearchParams(parameters).toString()}`;
const persisted = (hash: string, version = 1) => ({ persistedQuery: { version, sha256Hash: hash } });
const subscription = 'subscription { stockLevelChanged(depotId: "1") { available } }';

const cases: Case[] = [
  // What the security test found answering 500 / INTERNAL_SERVER_ERROR.
  {
    name: 'unknown operationName',
    body: { query: 'query A { __typename }', operationName: 'B' },
    status: 400,
    code: 'OPERATION_RESOLUTION_FAILURE',
  },
  {
    name: 'unknown operationName over GET',
    method: 'GET',
    search: get({ query: 'query A { __typename }', operationName: 'B' }),
    status: 400,
    code: 'OPERATION_RESOLUTION_FAILURE',
  },
  {
    name: 'several named operations without operationName',
    body: { query: 'query A { __typename } query B { __typename }' },
    status: 400,
    code: 'OPERATION_RESOLUTION_FAILURE',
  },
  {
    name: 'several anonymous operations',
    body: { query: '{ __typename } { __typename }' },
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'a subscription over plain POST',
    body: { query: subscription },
    status: 400,
    code: 'SUBSCRIPTION_NEEDS_STREAM',
  },
  {
    name: 'a subscription over plain GET',
    method: 'GET',
    search: get({ query: subscription }),
    status: 405,
    code: 'BAD_REQUEST',
  },
  {
    name: 'a Float literal no double can hold (1.79e309)',
    body: { query: '{ nearestDepots(siteId: "1", maxDistanceKm: 1.79e309) { distanceKm } }' },
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'a Float variable no double can hold (JSON 1e309)',
    raw: '{"query":"query($d: Float) { nearestDepots(siteId: \\"1\\", maxDistanceKm: $d) { distanceKm } }","variables":{"d":1e309}}',
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'an Int literal out of range',
    body: { query: '{ products(first: 99999999999) { totalCount } }' },
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'an Int variable out of range',
    body: { query: 'query($n: Int) { products(first: $n) { totalCount } }', variables: { n: 1e20 } },
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    // The operation budget refuses it before the planner's own limit could (PLANNING_LIMIT_EXCEEDED
    // stays mapped for a budget raised beyond the planner's limits).
    name: "fragments above the query planner's recursion limit (2^24 selections)",
    body: { query: fragmentBomb(24) },
    status: 400,
    code: 'TOO_MANY_SELECTIONS',
  },
  {
    name: 'an APQ hash that does not match the query',
    body: { query: '{ __typename }', extensions: persisted(sha256('{ me { id } }')) },
    status: 400,
    code: 'PERSISTED_QUERY_HASH_MISMATCH',
  },
  {
    name: 'APQ version 2',
    body: { query: '{ __typename }', extensions: persisted(sha256('{ __typename }'), 2) },
    status: 400,
    code: 'PERSISTED_QUERY_VERSION_NOT_SUPPORTED',
  },
  {
    name: 'APQ persistedQuery that is not an object',
    body: { query: '{ __typename }', extensions: { persistedQuery: 'yes' } },
    status: 400,
    code: 'PERSISTED_QUERY_VERSION_NOT_SUPPORTED',
  },
  {
    name: 'an APQ hash the router does not know',
    body: { extensions: persisted(sha256(`{ me { id } } # ${Math.random()}`)) },
    status: 400,
    code: 'PERSISTED_QUERY_NOT_FOUND',
  },
  {
    name: 'an APQ hash the router does not know, over GET',
    method: 'GET',
    search: get({ extensions: JSON.stringify(persisted(sha256(`{ me { id } } # ${Math.random()}`))) }),
    status: 400,
    code: 'PERSISTED_QUERY_NOT_FOUND',
  },
  // Found by trying.
  { name: 'a body that is not JSON', raw: '{"query":', status: 400, code: 'BAD_REQUEST' },
  { name: 'a JSON null body', raw: 'null', status: 400, code: 'BAD_REQUEST' },
  { name: 'a JSON string body', raw: '"{ __typename }"', status: 400, code: 'BAD_REQUEST' },
  {
    name: 'a batched JSON array',
    body: [{ query: '{ __typename }' }, { query: '{ __typename }' }],
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'variables as a JSON string',
    body: { query: 'query($n: Int) { __typename }', variables: '{"n":1}' },
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'variables of the wrong type',
    body: { query: 'query($n: Int) { products(first: $n) { totalCount } }', variables: { n: 'ten' } },
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a required variable missing',
    body: { query: 'query($id: ID!) { product(id: $id) { id } }', variables: {} },
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'variables that are not valid JSON, over GET',
    method: 'GET',
    search: get({ query: 'query($n: Int) { __typename }', variables: '{' }),
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'operationName that is not a string',
    body: { query: '{ __typename }', operationName: 5 },
    status: 400,
    code: 'BAD_REQUEST',
  },
  { name: 'query that is not a string', body: { query: 5 }, status: 400, code: 'BAD_REQUEST' },
  { name: 'an empty query', body: { query: '' }, status: 400, code: 'BAD_REQUEST' },
  {
    name: 'extensions that are not an object',
    body: { query: '{ __typename }', extensions: 'x' },
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'thousands of variable definitions, none used',
    body: {
      query: `query(${Array.from({ length: 2000 }, (_, i) => `$v${i}: Int`).join(' ')}) { __typename }`,
    },
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'a text/plain body',
    raw: '{"query":"{ __typename }"}',
    contentType: 'text/plain',
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'a form body',
    raw: 'query=%7B__typename%7D',
    contentType: 'application/x-www-form-urlencoded',
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'an XML body',
    raw: '<query/>',
    contentType: 'application/xml',
    status: 400,
    code: 'BAD_REQUEST',
  },
  { name: 'GET without a query', method: 'GET', search: '', status: 400, code: 'BAD_REQUEST' },
  {
    name: 'a PUT',
    method: 'PUT',
    body: { query: '{ __typename }' },
    status: 405,
    code: 'BAD_REQUEST',
  },
  { name: 'a syntax error', body: { query: '{ me { id }' }, status: 400, code: 'GRAPHQL_PARSE_FAILED' },
  { name: 'an unknown field', body: { query: '{ nope }' }, status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  // Issue 11 case 10: a NUL reached Postgres and answered INTERNAL_SERVER_ERROR.
  {
    name: 'a NUL in a literal argument',
    body: { query: '{ products(filter: { search: "a\\u0000b" }) { edges { node { id } } } }' },
    status: 400,
    code: 'BAD_USER_INPUT',
    field: 'filter.search',
  },
  {
    name: 'a NUL in a variable',
    body: {
      query: 'mutation($email: String!) { login(email: $email, password: "p") { accessToken } }',
      variables: { email: 'a\u0000@b.c' },
    },
    status: 400,
    code: 'BAD_USER_INPUT',
    field: 'email',
  },
];

let keyServer: KeyServer;
let fakeSubgraph: http.Server;
let subgraphCalls = 0;
let token: string;
const routers: Record<'development' | 'production', RunningRouter | undefined> = {
  development: undefined,
  production: undefined,
};

beforeAll(async () => {
  const key = await newSigningKey('client-mistakes');
  keyServer = await startKeyServer([key.publicJwk]);
  token = await signToken(key, { role: 'HOSPITAL_ADMIN' });
  fakeSubgraph = http.createServer((req, res) => {
    if (req.method === 'POST') subgraphCalls += 1;
    // A production router refuses every token until it has users' suspension list (empty here).
    if (req.method === 'GET' && req.url === SUSPENDED_ORGANIZATIONS_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"organizationIds":[]}');
      return;
    }
    res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => fakeSubgraph.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(fakeSubgraph.address() as AddressInfo).port}/graphql`;
  const env = {
    SUPERGRAPH_PATH: join(repositoryRoot, 'schema', 'supergraph.graphql'),
    USERS_JWKS_URL: keyServer.url,
    ...Object.fromEntries(subgraphCatalog.map(({ name }) => [subgraphUrlVariable(name), url])),
  };
  routers.development = await startTestRouter({ ...env, FLOW_ENV: 'development' });
  routers.production = await startTestRouter({ ...env, FLOW_ENV: 'production' });
});

afterAll(async () => {
  await routers.development?.stop();
  await routers.production?.stop();
  await new Promise<void>((resolve) => {
    fakeSubgraph?.close(() => resolve());
    fakeSubgraph?.closeAllConnections();
  });
  await keyServer?.stop();
});

async function send(router: RunningRouter, c: Case) {
  const method = c.method ?? 'POST';
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    // GET passes Apollo's CSRF prevention only with a preflight header.
    'apollo-require-preflight': 'true',
  };
  if (method !== 'GET') headers['content-type'] = c.contentType ?? 'application/json';
  const response = await fetch(router.url + (c.search ?? ''), {
    method,
    headers,
    body: method === 'GET' ? undefined : (c.raw ?? JSON.stringify(c.body)),
  });
  const text = await response.text();
  const body = JSON.parse(text) as {
    errors?: { message: string; extensions?: { code?: string; field?: string } }[];
  };
  return { status: response.status, body, text };
}

describe.each(['development', 'production'] as const)('%s router', (mode) => {
  it.each(cases)('$name: HTTP $status $code, no subgraph call', async (c) => {
    const before = subgraphCalls;
    const result = await send(routers[mode]!, c);
    expect({ status: result.status, code: result.body.errors?.[0]?.extensions?.code }).toEqual({
      status: c.status,
      code: c.code,
    });
    if (c.field) expect(result.body.errors?.[0]?.extensions?.field).toBe(c.field);
    expect(result.status).toBeGreaterThanOrEqual(400);
    expect(result.status).toBeLessThan(500);
    expect(subgraphCalls).toBe(before);
    if (mode === 'production') {
      expect(result.text).not.toMatch(/stacktrace|INTERNAL_SERVER_ERROR|node_modules/);
    }
  });
});

it('a correct APQ registration still works: hash and query, then the hash alone', async () => {
  const query = `{ __typename } # ${Math.random()}`;
  const extensions = persisted(sha256(query));
  for (const router of [routers.development!, routers.production!]) {
    const unknown = await send(router, { name: '', body: { extensions }, status: 0, code: '' });
    expect(unknown.status).toBe(400);
    const registered = await send(router, { name: '', body: { query, extensions }, status: 0, code: '' });
    expect(registered.status).toBe(200);
    const byHash = await send(router, { name: '', body: { extensions }, status: 0, code: '' });
    expect({ status: byHash.status, body: byHash.body }).toEqual({
      status: 200,
      body: { data: { __typename: 'Query' }, extensions: { cost: { estimated: 0, maximum: 2500 } } },
    });
  }
});

it('counts these refusals in flow_router_operations_refused_total by reason', async () => {
  const metrics = await (await fetch(routers.production!.url.replace('/graphql', '/metrics'))).text();
  for (const reason of [
    'operation_resolution_failure',
    'subscription_needs_stream',
    'persisted_query_hash_mismatch',
    'persisted_query_version_not_supported',
    'graphql_validation_failed',
    'persisted_query_not_found',
  ]) {
    const line = metrics
      .split('\n')
      .find((l) => l.startsWith('flow_router_operations_refused_total{') && l.includes(`reason="${reason}"`));
    const count = Number(line?.split(' ').pop() ?? 0);
    expect([reason, count > 0]).toEqual([reason, true]);
  }
});
