// Test fixtures: a JWKS server signing tokens as users does, the notifications app on port 0 in a
// Postgres schema of its own (dropped at stop), an in-process pub/sub the test can listen to, and
// domain events shaped as orders, inventory, payments and users write them.
import { randomUUID } from 'node:crypto';
import { createLogger } from '@flow/core';
import { dropSchema, subgraphDatabase } from '@flow/subgraph-kit';
import { MemoryPubSub } from '@flow/live';
import {
  createGraphQLClient,
  databaseUrlForSchema,
  uniqueSchemaName,
  type GraphQLClient,
  newTestViewer,
  startTestTokenIssuer,
  type TestViewer,
} from '@flow/testing';
import { startNotificationsApp, type NotificationsApp } from '../src/app';
import { parseNotificationsConfig } from '../src/env';
import type { ConsumedEvent } from '../src/services/rules';

export const SECRET = 'a-test-router-signing-secret-of-enough-length';

export type { TestViewer };
export const newViewer = newTestViewer;

export interface NotificationsTestEnvironment {
  app: NotificationsApp;
  /** The channel the app publishes notificationAdded messages on. */
  pubsub: MemoryPubSub;
  gql: GraphQLClient;
  as: (viewer: TestViewer) => Promise<string>;
  /** Every SQL statement the app ran, in order (tests may empty it). */
  statements: string[];
  sql: <Row>(text: string, values?: unknown[]) => Promise<Row[]>;
  stop: () => Promise<void>;
}

export async function createNotificationsTestEnvironment(): Promise<NotificationsTestEnvironment> {
  const issuer = await startTestTokenIssuer();
  const config = parseNotificationsConfig({
    FLOW_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    DATABASE_URL: databaseUrlForSchema(uniqueSchemaName('notifications_test')),
    USERS_JWKS_URL: issuer.jwksUrl,
    ROUTER_SIGNING_SECRET: SECRET,
  });
  const logger = createLogger('notifications', config.logLevel);
  const pubsub = new MemoryPubSub({ logger });
  const statements: string[] = [];
  const app = await startNotificationsApp(config, logger, {
    publisher: pubsub,
    onQuery: (sql) => statements.push(sql),
  });
  const database = subgraphDatabase('notifications', { databaseUrl: config.databaseUrl });
  return {
    app,
    pubsub,
    gql: createGraphQLClient(app.url),
    as: (viewer) => issuer.sign(viewer),
    statements,
    sql: async <Row>(text: string, values: unknown[] = []) =>
      (await app.prisma.$queryRawUnsafe(text, ...values)) as Row[],
    stop: async () => {
      await app.stop();
      await pubsub.close();
      await issuer.stop();
      await dropSchema(database.connectionString, database.schema);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Domain events as the producers write them

/** The parties of an order, as in orders' recordOrderEvent. */
export interface OrderParties {
  orderId: string;
  number: string;
  hospitalOrganizationId: string;
  vendorOrganizationId: string;
  driverId: string | null;
}

let orderCounter = 0;

export function newOrder(hospitalOrganizationId: string, vendorOrganizationId: string): OrderParties {
  orderCounter += 1;
  return {
    orderId: randomUUID(),
    number: `ORD-2026-${String(orderCounter).padStart(6, '0')}`,
    hospitalOrganizationId,
    vendorOrganizationId,
    driverId: null,
  };
}

export function orderEvent(
  type: string,
  order: OrderParties,
  extra: Record<string, unknown> = {},
): ConsumedEvent & { actor: string | null; source: string } {
  return {
    id: randomUUID(),
    type,
    occurredAt: new Date().toISOString(),
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
      driverId: order.driverId,
      total: { amountMinor: 12500, currency: 'USD' },
      ...(type === 'order.placed'
        ? { items: [{ productId: randomUUID(), quantity: 5, unitPriceMinor: 2500, lineTotalMinor: 12500 }] }
        : {}),
      ...extra,
    },
  };
}

/** inventory's stock.low: the stock snapshot, for the vendor's organization only. */
export function stockLowEvent(vendorOrganizationId: string, quantities = { onHand: 7, reserved: 4 }) {
  return {
    id: randomUUID(),
    type: 'stock.low',
    occurredAt: new Date().toISOString(),
    actor: null,
    organizationIds: [vendorOrganizationId],
    source: 'inventory',
    data: {
      depotId: randomUUID(),
      productId: randomUUID(),
      onHand: quantities.onHand,
      reserved: quantities.reserved,
      available: quantities.onHand - quantities.reserved,
      reorderLevel: 5,
    },
  };
}

/** payments' payment.failed: about the payment, for its payer and payee (organizationIds). */
export function paymentFailedEvent(payer: string, payee: string, failureReason = 'card_declined') {
  return {
    id: randomUUID(),
    type: 'payment.failed',
    occurredAt: new Date().toISOString(),
    actor: randomUUID(),
    organizationIds: [payer, payee],
    source: 'payments',
    data: {
      paymentId: randomUUID(),
      orderId: randomUUID(),
      payerOrganizationId: payer,
      payeeOrganizationId: payee,
      status: 'FAILED',
      method: 'CARD',
      amountMinor: 12500,
      capturedMinor: 0,
      refundedMinor: 0,
      currency: 'USD',
      failureReason,
    },
  };
}

/** users' organization.* events: about one organization, for that organization only. */
export function organizationEvent(
  type: 'organization.registered' | 'organization.approved' | 'organization.suspended',
  organizationId: string,
  extra: Record<string, unknown> = {},
) {
  const suspended = type === 'organization.suspended';
  return {
    id: randomUUID(),
    type,
    occurredAt: new Date().toISOString(),
    actor: randomUUID(),
    organizationIds: [organizationId],
    source: 'users',
    data: {
      organizationId,
      name: 'AirLife Oxygen Supply',
      kind: 'VENDOR',
      status: suspended ? 'SUSPENDED' : type === 'organization.approved' ? 'ACTIVE' : 'PENDING_APPROVAL',
      ...(type === 'organization.registered'
        ? {}
        : { previousStatus: suspended ? 'ACTIVE' : 'PENDING_APPROVAL' }),
      ...(suspended ? { reason: 'Expired oxygen supply licence' } : {}),
      ...extra,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Queries

export const NOTIFICATION_FIELDS =
  'id type title body occurredAt createdAt read readAt order { id } depot { id } product { id }';

export const NOTIFICATIONS = `query ($unreadOnly: Boolean, $first: Int, $after: String) {
  notifications(unreadOnly: $unreadOnly, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { ${NOTIFICATION_FIELDS} } } } }`;
export const NOTIFICATION = `query ($id: ID!) { notification(id: $id) { ${NOTIFICATION_FIELDS} } }`;
export const UNREAD_COUNT = '{ unreadNotificationCount }';
export const MARK_READ = 'mutation ($ids: [ID!]!) { markNotificationsRead(ids: $ids) }';
export const ENTITIES = `query ($r: [_Any!]!) { _entities(representations: $r) {
  ... on Notification { id type read } } }`;

export interface NotificationView {
  id: string;
  type: string;
  title: string;
  body: string;
  occurredAt: string;
  createdAt: string;
  read: boolean;
  readAt: string | null;
  order: { id: string } | null;
  depot: { id: string } | null;
  product: { id: string } | null;
}

export interface NotificationsPage {
  notifications: {
    totalCount: number;
    pageInfo: {
      hasNextPage: boolean;
      hasPreviousPage: boolean;
      startCursor: string | null;
      endCursor: string | null;
    };
    edges: { cursor: string; node: NotificationView }[];
  };
}
