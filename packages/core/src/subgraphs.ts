import type { EventBinding } from '@flow/contracts';

/**
 * The subgraphs of the supergraph, in start order, with their default ports. Adding a subgraph
 * starts here: composition, codegen, migrations, the router and `npm start` all read this list.
 * `publishesLive` marks the subgraphs whose live updates the router's subscriptions read.
 * `consumes` lists the domain events a subgraph consumes (event types of @flow/contracts, or
 * `<prefix>.*` for every type of a prefix, `#` for every type): its queue's bindings on RabbitMQ, where producers push
 * events when there is no broker, and the event types its handler map must handle, no more and no
 * fewer (ConsumerHandlers).
 */
const catalog = [
  { name: 'users', port: 8001 },
  { name: 'locations', port: 8003 },
  { name: 'inventory', port: 8004, publishesLive: true },
  { name: 'pricing', port: 8006 },
  // Payments learns which driver an order is assigned to from the orders events (see its README).
  { name: 'payments', port: 8008, consumes: ['order.*'] },
  {
    name: 'notifications',
    port: 8010,
    publishesLive: true,
    consumes: ['order.*', 'stock.low', 'payment.failed', 'organization.approved', 'organization.suspended'],
  },
  // Learns which orders may be reviewed (their hospital, vendor, delivery time) from order.delivered.
  { name: 'reviews', port: 8009, consumes: ['order.delivered'] },
  // Every domain event, `#` (see EventBinding): its audit log and statistics miss none, and a new
  // event type fails admin's compile until it says what the type counts for.
  { name: 'admin', port: 8011, consumes: ['#'] },
  // Last: it calls pricing, inventory, payments and locations while placing orders.
  { name: 'orders', port: 8005, publishesLive: true },
] as const satisfies readonly SubgraphCatalogEntry[];

export const subgraphCatalog: readonly SubgraphCatalogEntry[] = catalog;

/** The catalog with its literal types: which event types each subgraph consumes, to the letter. */
export type SubgraphCatalog = typeof catalog;

export interface SubgraphCatalogEntry {
  name: string;
  port: number;
  consumes?: readonly EventBinding[];
  /**
   * Publishes live updates on the live pub/sub (Redis, or the subgraph's own event stream without
   * it): the router's subscriptions read from every subgraph that does.
   */
  publishesLive?: boolean;
}

export const ROUTER_PORT = 8000;

export function defaultSubgraphUrl(name: string): string {
  const entry = subgraphCatalog.find((s) => s.name === name);
  if (!entry) throw new Error(`unknown subgraph ${name}`);
  return `http://127.0.0.1:${entry.port}/graphql`;
}

/** `users` -> `USERS_URL`: the variable that points the router (and other callers) at a subgraph. */
export const subgraphUrlVariable = (name: string) => `${name.toUpperCase()}_URL`;
