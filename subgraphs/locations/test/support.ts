// Test fixtures: the locations subgraph in @flow/testing's environment, calls signed as the orders
// service (through the kit's SubgraphClient, as orders makes them), and HTTP servers for stand-ins.
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type Role } from '@flow/core';
import { SubgraphClient } from '@flow/subgraph-kit';
import {
  newTestViewer,
  startSubgraphTestEnvironment,
  type SubgraphTestEnvironment,
  type TestViewer,
} from '@flow/testing';
import {
  parseLocationsConfig,
  startLocationsApp,
  type LocationsApp,
  type LocationsAppOptions,
  type LocationsConfig,
} from '../src';

export type { TestViewer };

export async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export const close = (server: http.Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

/** A viewer of a fresh organization of the given kind. */
export const newViewer = newTestViewer;

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

export interface LocationsTestEnvironment extends SubgraphTestEnvironment<LocationsConfig, LocationsApp> {
  /** Rows of the locations schema, read behind the app's back. */
  countSites: () => Promise<number>;
  /**
   * Calls signed as the orders service (as its SubgraphClient makes them), on behalf of `viewer`
   * or of no one (a background job). `secret` other than the app's forges the signature.
   */
  ordersService: (viewer?: TestViewer | null, secret?: string) => Promise<SignedCaller>;
}

export async function createTestEnvironment(
  env: Record<string, string> = {},
  options: LocationsAppOptions = {},
): Promise<LocationsTestEnvironment> {
  const t = await startSubgraphTestEnvironment({
    name: 'locations',
    start: startLocationsApp,
    parseConfig: parseLocationsConfig,
    env,
    options,
  });
  const logger = createLogger('orders-test', 'silent');
  return {
    ...t,
    countSites: async () => (await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM sites'))[0]!.n,
    ordersService: async (viewer = null, secret = t.config.routerSecret) => {
      const client = new SubgraphClient({
        name: 'locations',
        url: t.app.url,
        secret,
        logger,
        service: 'orders',
      });
      const ctx = {
        requestId: randomUUID(),
        authorization: viewer ? `Bearer ${await t.as(viewer)}` : null,
        clientAddress: null,
      };
      return {
        query: <Data>(query: string, variables?: Record<string, unknown>) =>
          client.idempotent(ctx, typed<Data>(query), variables ?? {}),
        mutate: <Data>(query: string, variables?: Record<string, unknown>) =>
          client.once(ctx, typed<Data>(query), variables ?? {}),
      };
    },
  };
}

/** A test's GraphQL text as a document for SubgraphClient (the test names the answer's type). */
const typed = <Data>(text: string) => parse(text) as TypedDocumentNode<Data, Record<string, unknown>>;
