// Test fixtures, as close to notifications' as can be (so they fold into @flow/testing): a JWKS
// server signing tokens as users does, the admin app on port 0 in a Postgres schema of its own
// (dropped at stop), and domain events shaped as orders, inventory, payments and users write them.
import { randomUUID } from 'node:crypto';
import { createLogger } from '@flow/core';
import type { UncheckedEvent } from '@flow/contracts';
import { dropSchema, subgraphDatabase } from '@flow/subgraph-kit';
import {
  createGraphQLClient,
  databaseUrlForSchema,
  uniqueSchemaName,
  type GraphQLClient,
  newTestViewer,
  startTestTokenIssuer,
  type TestViewer,
} from '@flow/testing';
import { startAdminApp, type AdminApp } from '../src/app';
import { parseAdminConfig } from '../src/env';
import { PROJECTION_TABLES } from '../src/services/rebuild';

export const SECRET = 'a-test-router-signing-secret-of-enough-length';

export type { TestViewer };
export const newViewer = newTestViewer;

export interface AdminTestEnvironment {
  app: AdminApp;
  gql: GraphQLClient;
  as: (viewer: TestViewer) => Promise<string>;
  /** Every SQL statement the app ran, in order (tests may empty it). */
  statements: string[];
  sql: <Row>(text: string, values?: unknown[]) => Promise<Row[]>;
  /** Every row of every projection table, in a stable order. */
  projections: () => Promise<Record<string, unknown[]>>;
  stop: () => Promise<void>;
}

export async function createAdminTestEnvironment(): Promise<AdminTestEnvironment> {
  const issuer = await startTestTokenIssuer();
  const config = parseAdminConfig({
    FLOW_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    DATABASE_URL: databaseUrlForSchema(uniqueSchemaName('admin_test')),
    USERS_JWKS_URL: issuer.jwksUrl,
    ROUTER_SIGNING_SECRET: SECRET,
  });
  const logger = createLogger('admin', config.logLevel);
  const statements: string[] = [];
  const app = await startAdminApp(config, logger, { onQuery: (sql) => statements.push(sql) });
  const database = subgraphDatabase('admin', { databaseUrl: config.databaseUrl });
  const sql = async <Row>(text: string, values: unknown[] = []) =>
    (await app.prisma.$queryRawUnsafe(text, ...values)) as Row[];
  return {
    app,
    gql: createGraphQLClient(app.url),
    as: (viewer) => issuer.sign(viewer),
    statements,
    sql,
    projections: async () => projectionRows(sql),
    stop: async () => {
      await app.stop();
      await issuer.stop();
      await dropSchema(database.connectionString, database.schema);
    },
  };
}

/** Every row of every projection table, ordered by its key: what a rebuild must make again. */
export async function projectionRows(
  sql: <Row>(text: string) => Promise<Row[]>,
): Promise<Record<string, unknown[]>> {
  const rows: Record<string, unknown[]> = {};
  for (const table of PROJECTION_TABLES)
    rows[table] = await sql(`SELECT to_jsonb(t) AS row FROM ${table} t ORDER BY to_jsonb(t)::text`);
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Domain events as the producers write them

export interface OrderParties {
  orderId: string;
  number: string;
  hospitalOrganizationId: string;
  vendorOrganizationId: string;
  driverId: string | null;
  totalMinor: number;
}

let orderCounter = 0;

export function newOrder(
  hospitalOrganizationId: string,
  vendorOrganizationId: string,
  totalMinor = 12_500,
): OrderParties {
  orderCounter += 1;
  return {
    orderId: randomUUID(),
    number: `ORD-2026-${String(orderCounter).padStart(6, '0')}`,
    hospitalOrganizationId,
    vendorOrganizationId,
    driverId: null,
    totalMinor,
  };
}

export type TestEvent = UncheckedEvent & { actor: string | null; source: string };

export function orderEvent(
  type: string,
  order: OrderParties,
  at: Date,
  extra: Record<string, unknown> = {},
): TestEvent {
  return {
    id: randomUUID(),
    type,
    occurredAt: at.toISOString(),
    actor: randomUUID(),
    organizationIds: [order.hospitalOrganizationId, order.vendorOrganizationId],
    source: 'orders',
    data: {
      orderId: order.orderId,
      number: order.number,
      status: type.split('.')[1]!.toUpperCase(),
      priority: 'ROUTINE',
      hospitalOrganizationId: order.hospitalOrganizationId,
      vendorOrganizationId: order.vendorOrganizationId,
      siteId: randomUUID(),
      depotId: randomUUID(),
      driverId: type === 'order.dispatched' || type === 'order.delivered' ? randomUUID() : null,
      total: { amountMinor: order.totalMinor, currency: 'USD' },
      ...(type === 'order.placed'
        ? { items: [{ productId: randomUUID(), quantity: 5, unitPriceMinor: 2500, lineTotalMinor: 12500 }] }
        : {}),
      ...extra,
    },
  };
}

export function placementFailedEvent(
  hospitalOrganizationId: string,
  at: Date,
  failureCode = 'OUT_OF_STOCK',
): TestEvent {
  return {
    id: randomUUID(),
    type: 'placement.failed',
    occurredAt: at.toISOString(),
    actor: randomUUID(),
    organizationIds: [hospitalOrganizationId],
    source: 'orders',
    data: {
      orderId: null,
      hospitalOrganizationId,
      vendorOrganizationId: null,
      siteId: randomUUID(),
      depotId: null,
      priority: 'ROUTINE',
      failureCode,
      items: [{ productId: randomUUID(), quantity: 500 }],
    },
  };
}

export function stockLowEvent(vendorOrganizationId: string, at: Date): TestEvent {
  return {
    id: randomUUID(),
    type: 'stock.low',
    occurredAt: at.toISOString(),
    actor: null,
    organizationIds: [vendorOrganizationId],
    source: 'inventory',
    data: {
      depotId: randomUUID(),
      productId: randomUUID(),
      onHand: 7,
      reserved: 4,
      available: 3,
      reorderLevel: 5,
      vendorOrganizationId,
    },
  };
}

/** `minutes` after `start`. */
export const at = (start: Date, minutes: number) => new Date(start.getTime() + minutes * 60_000);

// ---------------------------------------------------------------------------------------------
// Queries

export const PLATFORM_STATS = `query ($from: DateTime, $to: DateTime, $top: Int) {
  platformStats(from: $from, to: $to) {
    ordersByStatus { status count }
    grossMerchandiseValue { amountMinor currency }
    averageDeliveryMinutes
    fillRate
    topVendors(first: $top) { vendor { id } value { amountMinor currency } orders }
  } }`;

export const AUDIT_LOG = `query ($filter: AuditLogFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id type source occurredAt actor { kind id user { id } } organizations { id } data } } } }`;

export interface AuditPage {
  auditLog: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
    edges: {
      cursor: string;
      node: {
        id: string;
        type: string;
        source: string;
        occurredAt: string;
        actor: { kind: string; id: string | null; user: { id: string } | null };
        organizations: { id: string }[];
        data: string;
      };
    }[];
  };
}
