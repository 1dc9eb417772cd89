// What one subgraph call costs its callee before any resolver runs, piece by piece, in-process:
// the router signature (sign + verify), the access token (verified, or from the verified-token
// cache), the request's child logger and its DataLoaders; and what the caller spends sending the
// call and reading its answer, over the global fetch and over SubgraphClient's node:http poster
// (CPU of this process, which also serves the calls: the server's part is the same in both); and
// the invalid-text check of a call's arguments, on a new document and on one met before; Apollo
// Server's execution of an `_entities` call with and without its cache-control plugin.
// Microseconds per call.
//   node --conditions=flow-source --import tsx scripts/bench/subgraph-call-costs.ts
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { getOperationAST, parse } from 'graphql';
import {
  createLogger,
  createTokenVerifier,
  findInvalidText,
  signRequest,
  verifyRequestSignature,
} from '@flow/core';
import { batchLoader, postJsonTo } from '@flow/subgraph-kit';

async function microseconds(runs: number, work: () => unknown): Promise<number> {
  for (let i = 0; i < Math.min(runs, 200); i++) await work();
  const started = performance.now();
  for (let i = 0; i < runs; i++) await work();
  return ((performance.now() - started) * 1000) / runs;
}

async function main() {
  const query =
    'query PricingNearestDepots($siteId: ID!, $organizationIds: [ID!], $maxDistanceKm: Float, $first: Int) { nearestDepots(siteId: $siteId organizationIds: $organizationIds maxDistanceKm: $maxDistanceKm first: $first) { depot { id organization { id } } distanceKm durationMinutes } }';
  const variables = {
    siteId: crypto.randomUUID(),
    organizationIds: [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()],
    maxDistanceKm: 150,
    first: 100,
  };
  const { privateKey, publicKey } = await generateKeyPair('EdDSA');
  const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k', alg: 'EdDSA' }] });
  const token = await new SignJWT({ org: crypto.randomUUID(), orgKind: 'HOSPITAL', role: 'HOSPITAL_ADMIN' })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'k' })
    .setSubject(crypto.randomUUID())
    .setIssuer('iss')
    .setAudience('aud')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(privateKey);
  const parts = {
    timestamp: String(Math.floor(Date.now() / 1000)),
    requestId: crypto.randomUUID(),
    authorization: `Bearer ${token}`,
    deadline: String(Date.now() + 10_000),
    query,
    operationName: null,
    variables,
  };
  const secret = 'a-router-signing-secret-of-some-length';
  const signature = signRequest(secret, parts);
  const uncached = createTokenVerifier({ issuer: 'iss', audience: 'aud', keys });
  const cached = createTokenVerifier({ issuer: 'iss', audience: 'aud', keys, verifiedTokenCacheSize: 100 });
  const logger = createLogger('bench', 'warn');
  const rows = async (ids: string[]) => ids.map((id) => ({ id }));
  const costs: [string, number][] = [
    ['router signature: sign', await microseconds(20_000, () => signRequest(secret, parts))],
    [
      'router signature: verify',
      await microseconds(20_000, () => verifyRequestSignature(secret, signature, parts)),
    ],
    ['access token: verify (EdDSA)', await microseconds(2_000, () => uncached(token))],
    ['access token: from the verified-token cache', await microseconds(20_000, () => cached(token))],
    ['request logger: logger.child', await microseconds(100_000, () => logger.child({ requestId: 'r' }))],
    [
      'loaders: 10 DataLoaders per request',
      await microseconds(20_000, () => {
        for (let i = 0; i < 10; i++) batchLoader(rows, (row) => row.id);
      }),
    ],
    ...invalidTextChecks(query, variables),
  ];
  costs.push(...(await cacheControl()));
  costs.push(...(await transports(JSON.stringify({ query, variables }))));
  for (const [what, us] of costs) console.log(`${us.toFixed(1).padStart(8)} µs  ${what}`);
}

/** The invalid-text check of one call: on a document met for the first time, and met again. */
function invalidTextChecks(query: string, variables: Record<string, unknown>): [string, number][] {
  const documents = Array.from({ length: 5000 }, () => parse(query));
  const operations = documents.map((document) => getOperationAST(document)!);
  const time = (runs: number, work: (i: number) => unknown) => {
    const started = performance.now();
    for (let i = 0; i < runs; i++) work(i);
    return ((performance.now() - started) * 1000) / runs;
  };
  const half = documents.length / 2;
  time(half, (i) => findInvalidText(documents[i]!, operations[i]!, variables)); // warm-up
  const first = time(half, (i) => findInvalidText(documents[half + i]!, operations[half + i]!, variables));
  const again = time(100_000, (i) => findInvalidText(documents[i % 10]!, operations[i % 10]!, variables));
  return [
    ['invalid-text check: a document met for the first time (walked)', first],
    ['invalid-text check: a document met again (its variables only)', again],
  ];
}

/** Apollo Server executing an `_entities` call of 10 products, with its default cache-control plugin and without. */
async function cacheControl(): Promise<[string, number][]> {
  const typeDefs = parse(
    'type Query { ping: String } type Product @key(fields: "id") { id: ID! name: String! sku: String! }',
  );
  const resolvers = {
    Product: { __resolveReference: ({ id }: { id: string }) => ({ id, name: `n${id}`, sku: `s${id}` }) },
  } as GraphQLResolverMap<unknown>;
  const server = (disabled: boolean) =>
    new ApolloServer({
      schema: buildSubgraphSchema({ typeDefs, resolvers }),
      logger: createLogger('bench', 'warn'),
      plugins: [
        ApolloServerPluginLandingPageDisabled(),
        ...(disabled ? [ApolloServerPluginCacheControlDisabled()] : []),
      ],
    });
  const withPlugin = server(false);
  const without = server(true);
  await Promise.all([withPlugin.start(), without.start()]);
  const request = {
    query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id name sku } } }',
    variables: { r: Array.from({ length: 10 }, (_, i) => ({ __typename: 'Product', id: String(i) })) },
  };
  const results: [string, number][] = [];
  try {
    // Alternating rounds, the sums compared: the machine's other load falls on both alike.
    let a = 0;
    let b = 0;
    for (let round = 0; round < 6; round++) {
      a += await microseconds(2_000, () => withPlugin.executeOperation(request));
      b += await microseconds(2_000, () => without.executeOperation(request));
    }
    results.push(['Apollo Server: _entities of 10, cache-control plugin (the default)', a / 6]);
    results.push(['Apollo Server: _entities of 10, cache-control plugin disabled', b / 6]);
  } finally {
    await Promise.all([withPlugin.stop(), without.stop()]);
  }
  return results;
}

/** CPU µs of this process per call, 8 calls in flight, over fetch and over postJsonTo. */
async function transports(body: string): Promise<[string, number][]> {
  const answer = JSON.stringify({ data: { nearestDepots: Array.from({ length: 5 }, (_, i) => ({ i })) } });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.setHeader('content-type', 'application/json').end(answer));
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  const headers = { 'content-type': 'application/json', 'x-flow-signature': 'v2=' + 'a'.repeat(64) };
  const post = postJsonTo(url);
  const viaFetch = async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      signal: new AbortController().signal,
    });
    await response.json();
  };
  const viaHttp = () => post(headers, body, new AbortController().signal);
  const cpu = async (calls: number, send: () => Promise<unknown>) => {
    const run = () =>
      Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let i = 0; i < calls / 8; i++) await send();
        }),
      );
    await run();
    const started = process.cpuUsage();
    await run();
    const used = process.cpuUsage(started);
    return (used.user + used.system) / calls;
  };
  try {
    return [
      ['a call and its answer over fetch (caller + server)', await cpu(4000, viaFetch)],
      ['a call and its answer over node:http (caller + server)', await cpu(4000, viaHttp)],
    ];
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

void main();
