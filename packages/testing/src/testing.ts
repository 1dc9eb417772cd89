// Helpers for tests only: a typed GraphQL-over-HTTP client, per-test database schemas, and a
// token issuer standing in for the users subgraph.
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import pino from 'pino';
import {
  REQUEST_ID_HEADER,
  SERVICE_HEADER,
  SIGNATURE_HEADER,
  signRequest,
  TIMESTAMP_HEADER,
} from '@flow/core';
import { scopesForRole, type OrganizationKind, type Role } from '@flow/core';

export interface GraphQLResponse<Data> {
  status: number;
  data: Data | null | undefined;
  errors: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] | undefined;
  headers: Headers;
}

export interface GraphQLRequest {
  query: string;
  variables?: Record<string, unknown>;
  token?: string;
  headers?: Record<string, string>;
}

export type GraphQLClient = <Data = Record<string, unknown>>(
  request: GraphQLRequest,
) => Promise<GraphQLResponse<Data>>;

export function createGraphQLClient(url: string): GraphQLClient {
  return async <Data>({ query, variables, token, headers }: GraphQLRequest) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: Data | null; errors?: GraphQLResponse<Data>['errors'] };
    return { status: response.status, data: body.data, errors: body.errors, headers: response.headers };
  };
}

/**
 * A GraphQL client that signs every call like the router (what production subgraphs require),
 * or, given `service`, like that subgraph calling as itself.
 */
export function createSignedClient(url: string, secret: string, service?: string): GraphQLClient {
  const plain = createGraphQLClient(url);
  return (request) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const requestId = `test-${randomUUID()}`;
    const authorization = request.token ? `Bearer ${request.token}` : '';
    const signature = signRequest(secret, {
      timestamp,
      requestId,
      authorization,
      service,
      query: request.query,
      operationName: null,
      variables: request.variables ?? null,
    });
    return plain({
      ...request,
      headers: {
        ...request.headers,
        [SIGNATURE_HEADER]: signature,
        [TIMESTAMP_HEADER]: timestamp,
        [REQUEST_ID_HEADER]: requestId,
        ...(service ? { [SERVICE_HEADER]: service } : {}),
      },
    });
  };
}

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** A fresh, unique Postgres schema name for one test file. */
export function uniqueSchemaName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`.toLowerCase();
}

/** TEST_DATABASE_URL pointed at `schema` (Prisma's `?schema=` convention). */
export function databaseUrlForSchema(schema: string, base = TEST_DATABASE_URL): string {
  const url = new URL(base);
  url.searchParams.set('schema', schema);
  return url.toString();
}

/** A user as a test token describes them. */
export interface TestViewer {
  userId: string;
  organizationId: string;
  organizationKind: OrganizationKind;
  role: Role;
}

export function newTestViewer(
  organizationKind: OrganizationKind,
  role: Role,
  organizationId: string = randomUUID(),
): TestViewer {
  return { userId: randomUUID(), organizationId, organizationKind, role };
}

/** Signs access tokens as the users subgraph does, and serves their key as a JWKS. */
export interface TestTokenIssuer {
  jwksUrl: string;
  /** Its stand-in for users' URL (USERS_URL): it also serves the suspension list. */
  usersUrl: string;
  /** The organizations it lists as suspended (GET /organizations/suspended); tests change it. */
  suspended: string[];
  sign: (viewer: TestViewer, options?: { expiresInSeconds?: number }) => Promise<string>;
  stop: () => Promise<void>;
}

export async function startTestTokenIssuer(): Promise<TestTokenIssuer> {
  const kid = `test-${randomUUID()}`;
  const { privateKey, publicKey } = await generateKeyPair('EdDSA');
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  const suspended: string[] = [];
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url === '/organizations/suspended') res.end(JSON.stringify({ organizationIds: suspended }));
    else res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    usersUrl: `http://127.0.0.1:${port}/graphql`,
    suspended,
    sign: (viewer, options = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        org: viewer.organizationId,
        orgKind: viewer.organizationKind,
        role: viewer.role,
        scope: scopesForRole(viewer.role).join(' '),
      })
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
        .setSubject(viewer.userId)
        .setIssuer('urn:flow:users')
        .setAudience('urn:flow:api')
        .setIssuedAt(now)
        .setExpirationTime(now + (options.expiresInSeconds ?? 900))
        .setJti(randomUUID())
        .sign(privateKey);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A pino logger whose lines the test can read. */
export function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/**
 * Waits until `condition` holds, polling every `intervalMs` (longer where each look is a request
 * through several processes, as in the end-to-end tests).
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
  intervalMs = 20,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Records what a listener receives; `next(n)` waits until it holds n messages. */
export function inbox<Item = unknown>() {
  const received: Item[] = [];
  let wake: (() => void) | undefined;
  return {
    received,
    push(item: Item) {
      received.push(item);
      wake?.();
    },
    async next(count: number, timeoutMs = 5000): Promise<Item[]> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(`expected ${count} messages within ${timeoutMs} ms, got ${received.length}`);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      return received;
    },
  };
}
