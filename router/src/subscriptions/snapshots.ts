import { liveTopics } from '@flow/contracts';
import type { Viewer } from '@flow/core';

/** What a subgraph publishes when something changes: what happened and where to look (ids). */
export type LiveEvent = Record<string, unknown>;

/**
 * How the router serves one subscription field: which channel topic tells it that something
 * changed, and which query field (owned by the same subgraph) reads the new state. Each event is
 * answered by running that query with the subscriber's selection and credentials, through the
 * gateway, like any query: so a subscription can select any field of the supergraph, and every
 * subgraph checks the subscriber's rights on every event.
 */
export interface SnapshotRule {
  topic: (args: Record<string, unknown>, viewer: Viewer) => string;
  /** The query field that reads the state, and its arguments (with GraphQL types) for an event. */
  queryField: string;
  queryArgs: Record<string, string>;
  argsFor: (args: Record<string, unknown>, event: LiveEvent) => Record<string, unknown> | null;
  /**
   * Run once at subscribe time: a query (on the same variables) whose null answer means the
   * subscriber may not watch this (NOT_FOUND, with no hint it exists).
   */
  access?: {
    query: string;
    variables: (args: Record<string, unknown>) => Record<string, unknown>;
    entity: string;
  };
}

const str = (value: unknown) => (typeof value === 'string' ? value : null);
const orderAccess = {
  query: 'query FlowSubscriptionAccess($id: ID!) { order(id: $id) { id } }',
  variables: (args: Record<string, unknown>) => ({ id: args.orderId }),
  entity: 'Order',
};

export const snapshotRules: Record<string, SnapshotRule> = {
  orderUpdated: {
    topic: (args) => liveTopics.order(String(args.orderId)),
    queryField: 'order',
    queryArgs: { id: 'ID!' },
    argsFor: (args) => ({ id: args.orderId }),
    access: orderAccess,
  },
  deliveryPositionUpdated: {
    topic: (args) => liveTopics.delivery(String(args.orderId)),
    queryField: 'deliveryPosition',
    queryArgs: { id: 'ID!' },
    argsFor: (_args, event) => (str(event.positionId) ? { id: event.positionId } : null),
    access: orderAccess,
  },
  orderEvents: {
    topic: (_args, viewer) => liveTopics.ordersOf(viewer),
    queryField: 'orderEvent',
    queryArgs: { id: 'ID!' },
    argsFor: (_args, event) => (str(event.eventId) ? { id: event.eventId } : null),
  },
  notificationAdded: {
    topic: (_args, viewer) => liveTopics.notificationsOf(viewer),
    queryField: 'notification',
    queryArgs: { id: 'ID!' },
    argsFor: (_args, event) => (str(event.notificationId) ? { id: event.notificationId } : null),
  },
  stockLevelChanged: {
    topic: (args) => liveTopics.stock(String(args.depotId)),
    queryField: 'stockLevel',
    queryArgs: { depotId: 'ID!', productId: 'ID!' },
    argsFor: (args, event) =>
      str(event.productId) ? { depotId: args.depotId, productId: event.productId } : null,
  },
};

/**
 * Subscribers with the same scope see the same thing (every subgraph decides visibility by the
 * viewer's organization and role, drivers by their own assignments), so one resolution of an
 * event serves them all.
 */
export const authorizationScope = (viewer: Viewer) =>
  viewer.role === 'DRIVER' ? `user:${viewer.userId}` : `org:${viewer.organizationId}:${viewer.role}`;
