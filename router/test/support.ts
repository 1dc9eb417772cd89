// Test fixtures: a JWKS server with keys generated here, a real users subgraph (from
// schema/users.graphql, tiny resolvers) on the platform's startSubgraphServer, and routers on port 0.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { composeServices } from '@apollo/composition';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createRemoteJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import pino from 'pino';
import { createTokenVerifier, errors, type Logger, type Viewer } from '@flow/core';
import { startSubgraphServer, type BaseContext, type RunningSubgraph } from '@flow/subgraph-kit';
import { parseRouterConfig } from '../src/env';
import { startRouter, type RunningRouter } from '../src/router';

export const ISSUER = 'urn:flow:users';
export const AUDIENCE = 'urn:flow:api';
export const SECRET = 'test-router-signing-secret-0123456789abcdef';
export const repositoryRoot = join(__dirname, '..', '..');

export const silentLogger = (): Logger => pino({ level: 'silent' });

/** A logger whose JSON lines are kept in memory. */
export function memoryLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'debug', base: { process: 'router' } }, stream);
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines };
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const close = (server: http.Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

// ---------------------------------------------------------------------------------------------
// Keys and tokens

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function newSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA');
  const jwk = await exportJWK(publicKey);
  return { kid, privateKey, publicJwk: { ...jwk, kid, alg: 'EdDSA', use: 'sig' } };
}

export interface KeyServer {
  url: string;
  keys: JWK[];
  fetches: () => number;
  stop: () => Promise<void>;
}

/** Serves a JWKS (the keys array can be changed while it runs, as users does on rotation). */
export async function startKeyServer(initial: JWK[]): Promise<KeyServer> {
  const keys = [...initial];
  let fetches = 0;
  const server = http.createServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys }));
      return;
    }
    res.writeHead(404).end();
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    keys,
    fetches: () => fetches,
    stop: () => close(server),
  };
}

export interface TokenOptions {
  sub?: string;
  org?: string;
  orgKind?: string;
  role?: string;
  issuer?: string;
  audience?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  issuedAt?: number;
}

export async function signToken(key: SigningKey, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const role = options.role ?? 'HOSPITAL_STAFF';
  return new SignJWT({
    org: options.org ?? 'org-1',
    orgKind: options.orgKind ?? 'HOSPITAL',
    role,
    scope: `role:${role}`,
  })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' })
    .setSubject(options.sub ?? 'user-1')
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(options.issuedAt ?? now)
    .setExpirationTime(now + (options.expiresIn ?? 900))
    .sign(key.privateKey);
}

// ---------------------------------------------------------------------------------------------
// The users subgraph

export interface SubgraphCall {
  requestId: string;
  viewer: Viewer | null;
  clientAddress: string | null;
}

export interface TestSubgraph extends RunningSubgraph {
  calls: SubgraphCall[];
  /** POSTs that reached /graphql, signed or not: proves "the subgraph was never called". */
  hits: () => number;
  /** What it serves as users' suspension list (GET /organizations/suspended); tests change it. */
  suspended: string[];
}

const createdAt = '2026-01-01T00:00:00.000Z';
const organizationsById = new Map([
  [
    'org-1',
    {
      id: 'org-1',
      name: 'St. Mary Hospital',
      kind: 'HOSPITAL',
      status: 'ACTIVE',
      suspendedReason: null,
      createdAt,
    },
  ],
  [
    'org-2',
    { id: 'org-2', name: 'Oxy Vendor', kind: 'VENDOR', status: 'ACTIVE', suspendedReason: null, createdAt },
  ],
]);
const emptyPage = { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null };

/** A sign-in answer (sign-in mutations always succeed here: the router's throttle is what is tested). */
const authPayload = (email: string) => ({
  accessToken: 'test-access-token',
  refreshToken: 'test-refresh-token',
  accessTokenExpiresAt: createdAt,
  user: {
    id: 'user-signed-in',
    email,
    name: 'Signed In',
    role: 'HOSPITAL_ADMIN',
    organizationId: 'org-1',
    createdAt,
  },
});

/** What the real users subgraph would leak if a database error reached a client unmasked. */
export const INTERNAL_DETAIL =
  'connect to db-primary.internal:5432 failed: password authentication failed for user "flow"';

export async function startTestSubgraph(options: {
  production: boolean;
  jwksUrl: string;
  logger?: Logger;
}): Promise<TestSubgraph> {
  const calls: SubgraphCall[] = [];
  let hits = 0;
  const suspended: string[] = [];
  const typeDefs = parse(readFileSync(join(repositoryRoot, 'schema', 'users.graphql'), 'utf8'));
  const resolvers = {
    Query: {
      me: (_: unknown, __: unknown, context: BaseContext) =>
        context.viewer
          ? {
              id: context.viewer.userId,
              email: `${context.viewer.userId}@example.test`,
              name: `request ${context.requestId}`,
              role: context.viewer.role,
              organizationId: context.viewer.organizationId,
              createdAt,
            }
          : null,
      organization: async (_: unknown, args: { id: string }) => {
        if (args.id === 'boom') throw new Error(INTERNAL_DETAIL);
        if (args.id === 'slow') {
          await new Promise((resolve) => setTimeout(resolve, 700));
          return organizationsById.get('org-1');
        }
        if (args.id === 'secret') throw errors.forbidden('Only its own admins may see this organization.');
        return organizationsById.get(args.id) ?? null;
      },
      organizations: () => ({
        edges: [...organizationsById.values()].map((node) => ({ node, cursor: node.id })),
        pageInfo: emptyPage,
        totalCount: organizationsById.size,
      }),
    },
    Mutation: {
      login: (_: unknown, args: { email: string }) => authPayload(args.email),
      refreshSession: () => authPayload('refreshed@example.test'),
      registerOrganization: (_: unknown, args: { input: { email: string } }) => authPayload(args.input.email),
      logout: () => true,
    },
    User: {
      organization: (user: { organizationId: string }) =>
        organizationsById.get(user.organizationId) ?? { id: user.organizationId },
    },
    Organization: {
      __resolveReference: (reference: { id: string }) => organizationsById.get(reference.id) ?? null,
      users: () => ({ edges: [], pageInfo: emptyPage, totalCount: 0 }),
    },
  };
  const logger = options.logger ?? silentLogger();
  const running = await startSubgraphServer<BaseContext>({
    name: 'users',
    schema: buildSubgraphSchema({ typeDefs, resolvers: resolvers as never }),
    logger,
    port: 0,
    production: options.production,
    routerSecret: SECRET,
    verifyToken: createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 0 }),
    }),
    buildContext: (base) => {
      calls.push({ requestId: base.requestId, viewer: base.viewer, clientAddress: base.clientAddress });
      return base;
    },
    readiness: {},
    serveSuspendedOrganizations: async () => suspended,
  });
  // Counted at the HTTP server: the kit serves POST /graphql off node:http, before any Express route.
  running.httpServer.on('request', (req: http.IncomingMessage) => {
    if (req.method === 'POST' && req.url?.split('?')[0] === '/graphql') hits += 1;
  });
  return { ...running, calls, hits: () => hits, suspended };
}

// ---------------------------------------------------------------------------------------------
// Routers and requests

/**
 * The router tests exercise the router against one test subgraph that speaks the users SDL, so
 * they run on a supergraph composed from schema/users.graphql alone (the real one, with every
 * subgraph, is checked in declarative-auth.test.ts and in the end-to-end tests).
 */
export function usersOnlySupergraphSdl(): string {
  const typeDefs = parse(readFileSync(join(repositoryRoot, 'schema', 'users.graphql'), 'utf8'));
  const result = composeServices([{ name: 'users', url: 'http://127.0.0.1:8001/graphql', typeDefs }]);
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.supergraphSdl;
}

let usersOnlyPath: string | undefined;
export function usersOnlySupergraphPath(): string {
  if (!usersOnlyPath) {
    usersOnlyPath = join(mkdtempSync(join(tmpdir(), 'flow-router-test-')), 'supergraph.graphql');
    writeFileSync(usersOnlyPath, usersOnlySupergraphSdl());
  }
  return usersOnlyPath;
}

export async function startTestRouter(
  env: Record<string, string>,
  logger: Logger = silentLogger(),
): Promise<RunningRouter> {
  const config = parseRouterConfig({
    SUPERGRAPH_PATH: usersOnlySupergraphPath(),
    PORT: '0',
    LOG_LEVEL: 'silent',
    ROUTER_SIGNING_SECRET: SECRET,
    JWKS_COOLDOWN_SECONDS: '0',
    ...env,
  });
  return startRouter(config, logger);
}

export interface GraphQLResult {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[];
  };
  text: string;
}

export async function graphql(
  url: string,
  query: string,
  options: {
    token?: string;
    variables?: Record<string, unknown>;
    operationName?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<GraphQLResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables, operationName: options.operationName }),
  });
  const text = await response.text();
  let body: GraphQLResult['body'] = {};
  try {
    body = JSON.parse(text) as GraphQLResult['body'];
  } catch {
    body = {};
  }
  return { status: response.status, headers: response.headers, body, text };
}

export const codeOf = (result: GraphQLResult) => result.body.errors?.[0]?.extensions?.code;

/**
 * The sum of a router's /metrics samples of `name` (0 when none) carrying `labels`: a substring of
 * the sample line (`reason="budget"`) or label values that must all be present.
 */
export async function metric(
  url: string,
  name: string,
  labels: string | Record<string, string> = '',
): Promise<number> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  const wanted =
    typeof labels === 'string' ? [labels] : Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!wanted.every((part) => line.includes(part))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------
// The usual fixture: a signing key, its key server, the users subgraph, and routers before them

export interface RouterFixture {
  key: SigningKey;
  keyServer: KeyServer;
  subgraph: TestSubgraph;
  /** USERS_URL and USERS_JWKS_URL: a router's env for this subgraph and key server. */
  usersEnv: Record<string, string>;
  /** A token signed with the fixture's key. */
  token: (options?: TokenOptions) => Promise<string>;
  /** Starts a router (on port 0) in front of the users subgraph, with `env` on top; `stop` stops it. */
  startRouter: (env?: Record<string, string>, logger?: Logger) => Promise<RunningRouter>;
  /** Has `stop` stop `running` too (before the subgraph), e.g. a live router; returns it. */
  adopt: <T extends { stop: () => Promise<void> }>(running: T) => T;
  /** Stops every router it started or adopted (newest first), then the subgraph and key server. */
  stop: () => Promise<void>;
}

export async function startRouterFixture(
  kid: string,
  options: { production: boolean },
): Promise<RouterFixture> {
  const key = await newSigningKey(kid);
  const keyServer = await startKeyServer([key.publicJwk]);
  const stoppable: { stop: () => Promise<void> }[] = [keyServer];
  try {
    const subgraph = await startTestSubgraph({ production: options.production, jwksUrl: keyServer.url });
    stoppable.push(subgraph);
    const usersEnv = { USERS_URL: subgraph.url, USERS_JWKS_URL: keyServer.url };
    const adopt = <T extends { stop: () => Promise<void> }>(running: T): T => {
      stoppable.push(running);
      return running;
    };
    return {
      key,
      keyServer,
      subgraph,
      usersEnv,
      token: (tokenOptions) => signToken(key, tokenOptions),
      startRouter: async (env = {}, logger) => adopt(await startTestRouter({ ...usersEnv, ...env }, logger)),
      adopt,
      stop: async () => {
        for (const running of stoppable.splice(0).reverse()) await running.stop();
      },
    };
  } catch (error) {
    await keyServer.stop();
    throw error;
  }
}
