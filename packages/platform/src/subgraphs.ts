/**
 * The subgraphs of the supergraph, in start order, with their default ports. Adding a subgraph
 * starts here: composition, codegen, migrations, the router and `npm start` all read this list.
 */
export const subgraphCatalog = [
  { name: 'users', port: 8001 },
  { name: 'locations', port: 8003 },
  { name: 'inventory', port: 8004 },
  { name: 'pricing', port: 8006 },
  { name: 'payments', port: 8008 },
  // Last: it calls pricing, inventory, payments and locations while placing orders.
  { name: 'orders', port: 8005 },
] as const;

export type SubgraphName = (typeof subgraphCatalog)[number]['name'];

export const ROUTER_PORT = 8000;

export function defaultSubgraphUrl(name: string): string {
  const entry = subgraphCatalog.find((s) => s.name === name);
  if (!entry) throw new Error(`unknown subgraph ${name}`);
  return `http://127.0.0.1:${entry.port}/graphql`;
}

/** `users` -> `USERS_URL`: the variable that points the router (and other callers) at a subgraph. */
export const subgraphUrlVariable = (name: string) => `${name.toUpperCase()}_URL`;
