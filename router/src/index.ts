// The public API of the router: what other workspaces (scripts, tests, the platform) use.
export { parseRouterConfig, routerEnvironmentShape, type RouterConfig } from './env';
export { startRouter, type RunningRouter } from './router';
export { prepareSupergraph, type PreparedSupergraph } from './supergraph';
