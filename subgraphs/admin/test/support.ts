// Test fixtures: the admin subgraph in @flow/testing's environment, and domain events shaped as
// orders, inventory, payments and users write them.
import { randomUUID } from 'node:crypto';
import type { UncheckedEvent } from '@flow/contracts';
import {
  newTestViewer,
  startSubgraphTestEnvironment,
  type SubgraphTestEnvironment,
  type TestViewer,
  testOrderEvent,
  type TestOrderParties,
} from '@flow/testing';
import { parseAdminConfig, PROJECTION_TABLES, startAdminApp, type AdminApp, type AdminConfig } from '../src';

export type { TestViewer };
export const newViewer = newTestViewer;

export interface AdminTestEnvironment extends SubgraphTestEnvironment<AdminConfig, AdminApp> {
  /** Every row of every projection table, in a stable order. */
  projections: () => Promise<Record<string, unknown[]>>;
}

export async function createAdminTestEnvironment(): Promise<AdminTestEnvironment> {
  const t = await startSubgraphTestEnvironment({
    name: 'admin',
    start: startAdminApp,
    parseConfig: parseAdminConfig,
  });
  return { ...t, projections: () => projectionRows(t.sql) };
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

export interface OrderParties extends TestOrderParties {
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
  const driverId = type === 'order.dispatched' || type === 'order.delivered' ? randomUUID() : null;
  return testOrderEvent(type, order, { at, driverId, totalMinor: order.totalMinor, extra });
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
