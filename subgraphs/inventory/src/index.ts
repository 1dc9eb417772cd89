// The public API of the inventory subgraph: what other workspaces (scripts, tests, the platform) use.
export { startInventoryApp, type InventoryApp, type InventoryAppOptions } from './app';
export { inventoryEnvironmentShape, parseInventoryConfig, type InventoryConfig } from './env';
export { buildInventorySchema } from './subgraph';
