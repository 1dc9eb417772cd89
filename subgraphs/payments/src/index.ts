// The public API of the payments subgraph: what other workspaces (scripts, tests, the platform) use.
export { startPaymentsApp, type PaymentsApp, type PaymentsAppOptions } from './app';
export { paymentsEnvironmentShape, parsePaymentsConfig, type PaymentsConfig } from './env';
export { buildPaymentsSchema } from './subgraph';
