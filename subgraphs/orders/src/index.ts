// The public API of the orders subgraph: what other workspaces (scripts, tests, the platform) use.
export { startOrdersApp, type OrdersApp, type OrdersAppOptions } from './app';
export { ordersEnvironmentShape, parseOrdersConfig, placementWorstCaseMs, type OrdersConfig } from './env';
export { answerMarginMs } from './services/placement-service';
export { buildOrdersSchema } from './subgraph';
