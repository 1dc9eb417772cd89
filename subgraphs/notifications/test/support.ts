// Test fixtures: the notifications subgraph in @flow/testing's environment with an in-process
// pub/sub the test can listen to, and domain events shaped as orders, inventory, payments and
// users write them.
import { randomUUID } from 'node:crypto';
import { createLogger } from '@flow/core';
import { MemoryPubSub } from '@flow/live';
import {
  newTestViewer,
  startSubgraphTestEnvironment,
  type SubgraphTestEnvironment,
  type TestViewer,
  testOrderEvent,
  type TestOrderParties,
} from '@flow/testing';
import {
  parseNotificationsConfig,
  startNotificationsApp,
  type NotificationsApp,
  type NotificationsConfig,
} from '../src';
import type { ConsumedEvent } from '../src/services/rules';

export type { TestViewer };
export const newViewer = newTestViewer;

export interface NotificationsTestEnvironment extends SubgraphTestEnvironment<
  NotificationsConfig,
  NotificationsApp
> {
  /** The channel the app publishes notificationAdded messages on. */
  pubsub: MemoryPubSub;
}

export async function createNotificationsTestEnvironment(): Promise<NotificationsTestEnvironment> {
  const pubsub = new MemoryPubSub({ logger: createLogger('notifications-test', 'silent') });
  const t = await startSubgraphTestEnvironment({
    name: 'notifications',
    start: startNotificationsApp,
    parseConfig: parseNotificationsConfig,
    options: { publisher: pubsub },
  }).catch(async (error: unknown) => {
    await pubsub.close();
    throw error;
  });
  t.onStop(() => pubsub.close());
  return { ...t, pubsub };
}

// ---------------------------------------------------------------------------------------------
// Domain events as the producers write them

export type OrderParties = TestOrderParties;

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
  return testOrderEvent(type, order, { extra }) as ConsumedEvent & { actor: string | null; source: string };
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
