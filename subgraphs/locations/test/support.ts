// Test fixtures: a JWKS server with a key generated here (users' part: it signs tokens exactly as
// the users subgraph does, EdDSA with a kid), and the locations app on port 0 in a Postgres
// schema of its own, dropped at stop.
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createLogger, scopesForRole, type OrganizationKind, type Role } from '@flow/core';
import { dropSchema, withSearchPath, subgraphDatabase, SubgraphClient } from '@flow/subgraph-kit';
import {
  createGraphQLClient,
  databaseUrlForSchema,
  uniqueSchemaName,
  type GraphQLClient,
} from '@flow/testing';
import { startLocationsApp, type LocationsApp, type LocationsAppOptions } from '../src/app';
import { parseLocationsConfig, type LocationsConfig } from '../src/env';

export const ISSUER = 'urn:flow:users';
export const AUDIENCE = 'urn:flow:api';

export async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export const close = (server: http.Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

/** Who a test token speaks for. */
export interface TestViewer {
  userId: string;
  organizationId: string;
  organizationKind: OrganizationKind;
  role: Role;
}

export interface TokenIssuer {
  jwksUrl: string;
  sign: (viewer: TestViewer) => Promise<string>;
  stop: () => Promise<void>;
}

/** Serves a JWKS and signs access tokens with the claims users puts in them. */
export async function startTokenIssuer(): Promise<TokenIssuer> {
  const kid = `test-${randomUUID()}`;
  const { privateKey, publicKey } = await generateKeyPair('EdDSA');
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  const server = http.createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  const origin = await listen(server);
  return {
    jwksUrl: `${origin}/.well-known/jwks.json`,
    sign: (viewer) => signToken(privateKey, kid, viewer),
    stop: () => close(server),
  };
}

function signToken(key: CryptoKey, kid: string, viewer: TestViewer): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    org: viewer.organizationId,
    orgKind: viewer.organizationKind,
    role: viewer.role,
    scope: scopesForRole(viewer.role).join(' '),
  })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
    .setSubject(viewer.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 900)
    .setJti(randomUUID())
    .sign(key);
}

/** A viewer of a fresh organization of the given kind. */
export function newViewer(organizationKind: OrganizationKind, role: Role): TestViewer {
  return { userId: randomUUID(), organizationId: randomUUID(), organizationKind, role };
}

/** Another person of the same organization. */
export const colleague = (viewer: TestViewer, role: Role): TestViewer => ({
  ...viewer,
  userId: randomUUID(),
  role,
});

/** What SubgraphClient answers: the data, or a thrown error carrying the callee's code. */
export interface SignedCaller {
  query: <Data>(query: string, variables?: Record<string, unknown>) => Promise<Data>;
  mutate: <Data>(query: string, variables?: Record<string, unknown>) => Promise<Data>;
}

export interface LocationsTestEnvironment {
  app: LocationsApp;
  config: LocationsConfig;
  gql: GraphQLClient;
  tokens: TokenIssuer;
  /** An access token for `viewer`. */
  as: (viewer: TestViewer) => Promise<string>;
  /** Rows of the locations schema, read behind the app's back. */
  countSites: () => Promise<number>;
  /** Any statement on the locations schema, behind the app's back. */
  sql: <Row extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<Row[]>;
  /**
   * Calls signed as the orders service (as its SubgraphClient makes them), on behalf of `viewer`
   * or of no one (a background job). `secret` other than the app's forges the signature.
   */
  ordersService: (viewer?: TestViewer | null, secret?: string) => Promise<SignedCaller>;
  stop: () => Promise<void>;
}

export async function createTestEnvironment(
  overrides: Record<string, string> = {},
  options: LocationsAppOptions = {},
): Promise<LocationsTestEnvironment> {
  const schema = uniqueSchemaName('locations_test');
  const tokens = await startTokenIssuer();
  const config = parseLocationsConfig({
    FLOW_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    DATABASE_URL: databaseUrlForSchema(schema),
    USERS_JWKS_URL: tokens.jwksUrl,
    ...overrides,
  });
  const app = await startLocationsApp(config, createLogger('locations', config.logLevel), options);
  const database = subgraphDatabase('locations', { databaseUrl: config.databaseUrl });
  const logger = createLogger('orders-test', 'silent');
  const sql = async <Row extends pg.QueryResultRow>(text: string, values: unknown[] = []) => {
    const client = new pg.Client({ connectionString: withSearchPath(database) });
    await client.connect();
    try {
      return (await client.query<Row>(text, values)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    app,
    config,
    gql: createGraphQLClient(app.url),
    tokens,
    as: tokens.sign,
    countSites: async () => (await sql<{ n: number }>('SELECT count(*)::int AS n FROM sites'))[0]!.n,
    sql,
    ordersService: async (viewer = null, secret = config.routerSecret) => {
      const client = new SubgraphClient({
        name: 'locations',
        url: app.url,
        secret,
        logger,
        service: 'orders',
      });
      const ctx = {
        requestId: randomUUID(),
        authorization: viewer ? `Bearer ${await tokens.sign(viewer)}` : null,
        clientAddress: null,
      };
      return {
        query: <Data>(query: string, variables?: Record<string, unknown>) =>
          client.idempotent(ctx, typed<Data>(query), variables ?? {}),
        mutate: <Data>(query: string, variables?: Record<string, unknown>) =>
          client.once(ctx, typed<Data>(query), variables ?? {}),
      };
    },
    stop: async () => {
      await app.stop();
      await tokens.stop();
      await dropSchema(database.connectionString, database.schema);
    },
  };
}

/** A test's GraphQL text as a document for SubgraphClient (the test names the answer's type). */
const typed = <Data>(text: string) => parse(text) as TypedDocumentNode<Data, Record<string, unknown>>;
