// Issue 10, item 6: when the router gave up on a subgraph, the subgraph worked on (one request
// kept users busy for 40 s). Now the router's deadline travels in the signed x-flow-deadline; the
// subgraph aborts the request's signal then, starts no further resolver, and its calls to other
// subgraphs are aborted with it. Here against a platform subgraph server on the users SDL whose
// work is slow for real: a dependency that never answers, and a root field held until the test
// lets it go. (The database side, statement_timeout, is in test/deadlines.test.ts.)
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createRemoteJWKSet } from 'jose';
import { createTokenVerifier, DEADLINE_HEADER } from '@flow/core';
import {
  startSubgraphServer,
  SubgraphClient,
  type BaseContext,
  type RunningSubgraph,
} from '@flow/subgraph-kit';
import type { RunningRouter } from '../src/router';
import {
  AUDIENCE,
  graphql,
  ISSUER,
  newSigningKey,
  repositoryRoot,
  SECRET,
  signToken,
  silentLogger,
  startKeyServer,
  startTestRouter,
  type KeyServer,
  type SigningKey,
} from './support';

const ROUTER_TIMEOUT_MS = 600;

/** A dependency that accepts calls and never answers; it records when each call is abandoned. */
interface HangingDependency {
  url: string;
  calls: { deadline: string | undefined; closed: boolean }[];
  stop: () => Promise<void>;
}

async function startHangingDependency(): Promise<HangingDependency> {
  const calls: HangingDependency['calls'] = [];
  const server = http.createServer((req) => {
    const call = { deadline: req.headers[DEADLINE_HEADER] as string | undefined, closed: false };
    calls.push(call);
    req.resume();
    req.socket.once('close', () => (call.closed = true));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Resolves once `condition` holds, checking on every turn of the event loop (no fixed sleep). */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setImmediate(resolve));
}

let key: SigningKey;
let keyServer: KeyServer;
let dependency: HangingDependency;
let subgraph: RunningSubgraph;
let router: RunningRouter;
const seen = { organizationsStarted: 0, usersResolved: 0, dependencyFailures: [] as unknown[] };
let releaseOrganizations!: () => void;
const organizationsReleased = new Promise<void>((resolve) => (releaseOrganizations = resolve));

beforeAll(async () => {
  key = await newSigningKey('deadline-key');
  keyServer = await startKeyServer([key.publicJwk]);
  dependency = await startHangingDependency();
  const locations = new SubgraphClient({
    name: 'locations',
    url: dependency.url,
    secret: SECRET,
    logger: silentLogger(),
    // Far longer than the router waits: only the request's deadline can end this call early.
    timeoutMs: 60_000,
    retries: 0,
  });
  const organization = {
    id: 'org-1',
    name: 'St. Mary',
    kind: 'HOSPITAL',
    status: 'ACTIVE',
    createdAt: '2026-01-01T00:00:00.000Z',
  };
  const typeDefs = parse(readFileSync(join(repositoryRoot, 'schema', 'users.graphql'), 'utf8'));
  const resolvers = {
    Query: {
      organization: async (_: unknown, _args: unknown, context: BaseContext) => {
        try {
          await locations.idempotent(context, parse('{ site(id: "x") { id } }'));
        } catch (error) {
          seen.dependencyFailures.push(error);
          throw error;
        }
        return organization;
      },
      organizations: async () => {
        seen.organizationsStarted += 1;
        await organizationsReleased;
        const nodes = [organization, { ...organization, id: 'org-2' }];
        return {
          edges: nodes.map((node) => ({ node, cursor: node.id })),
          pageInfo: { hasNextPage: false, hasPreviousPage: false },
          totalCount: 2,
        };
      },
    },
    Organization: {
      users: () => {
        seen.usersResolved += 1;
        return { edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false }, totalCount: 0 };
      },
    },
  };
  subgraph = await startSubgraphServer<BaseContext>({
    name: 'users',
    schema: buildSubgraphSchema({ typeDefs, resolvers: resolvers as never }),
    logger: silentLogger(),
    port: 0,
    production: true,
    routerSecret: SECRET,
    verifyToken: createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: createRemoteJWKSet(new URL(keyServer.url), { cooldownDuration: 0 }),
    }),
    buildContext: (base) => base,
    readiness: {},
    // A production router refuses every token until it has users' suspension list.
    serveSuspendedOrganizations: async () => [],
  });
  router = await startTestRouter({
    FLOW_ENV: 'production',
    USERS_URL: subgraph.url,
    USERS_JWKS_URL: keyServer.url,
    SUBGRAPH_TIMEOUT_MS: String(ROUTER_TIMEOUT_MS),
  });
});

afterAll(async () => {
  releaseOrganizations?.();
  await router?.stop();
  await subgraph?.stop();
  await dependency?.stop();
  await keyServer?.stop();
});

async function skippedResolvers(): Promise<number> {
  const metrics = await (await fetch(new URL('/metrics', subgraph.url))).text();
  const line = metrics.split('\n').find((l) => l.startsWith('flow_subgraph_resolvers_skipped_total'));
  return Number(line?.split(' ').pop() ?? 'NaN');
}

it('aborts the call to a dependency that does not answer once the router gives up, and passes the deadline on', async () => {
  const token = await signToken(key, { role: 'PLATFORM_ADMIN', orgKind: 'PLATFORM' });
  const sent = Date.now();
  const result = await graphql(router.url, '{ organization(id: "org-1") { id } }', { token });
  expect(result.body.errors?.length).toBeGreaterThan(0);
  expect(result.body.data?.organization ?? null).toBeNull();

  // The dependency's call is abandoned (its connection closed), well before its own 60 s timeout.
  await until(() => dependency.calls.length === 1 && dependency.calls[0]!.closed);
  expect(Date.now() - sent).toBeLessThan(10_000);
  // The callee was told the router's deadline: within the router's timeout of when we sent it.
  const deadline = Number(dependency.calls[0]!.deadline);
  expect(deadline).toBeGreaterThanOrEqual(sent);
  expect(deadline).toBeLessThanOrEqual(Date.now() + ROUTER_TIMEOUT_MS);
  await until(() => seen.dependencyFailures.length === 1);
  const failure = seen.dependencyFailures[0] as { extensions?: { code?: string } };
  expect(failure.extensions?.code).toBe('GATEWAY_TIMEOUT');
});

it('starts no further resolver once the router has given up', async () => {
  const token = await signToken(key, { role: 'PLATFORM_ADMIN', orgKind: 'PLATFORM' });
  const skippedBefore = await skippedResolvers();
  const result = await graphql(
    router.url,
    '{ organizations { edges { node { id users { totalCount } } } } }',
    { token },
  );
  // The router answered without the subgraph's data: it gave up after its timeout.
  expect(result.body.errors?.length).toBeGreaterThan(0);
  expect(seen.organizationsStarted).toBe(1);

  // Now the slow root field finishes; its nested `users` resolvers must not run (the first one
  // refused nulls the non-null chain up to the root, so graphql-js stops there).
  releaseOrganizations();
  await until(async () => (await skippedResolvers()) >= skippedBefore + 1);
  expect(seen.usersResolved).toBe(0);
});
