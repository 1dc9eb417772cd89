// The public API of the pricing subgraph: what other workspaces (scripts, tests, the platform) use.
export { startPricingApp, type PricingApp, type PricingAppOptions } from './app';
export { pricingEnvironmentShape, parsePricingConfig, type PricingConfig } from './env';
export { buildPricingSchema } from './subgraph';
