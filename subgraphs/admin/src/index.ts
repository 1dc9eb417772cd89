// The public API of the admin subgraph: what other workspaces (scripts, tests, the platform) use.
export { startAdminApp, type AdminApp, type AdminAppOptions } from './app';
export { adminEnvironmentShape, parseAdminConfig, type AdminConfig } from './env';
export { buildAdminSchema } from './subgraph';
export { rebuildProjections, PROJECTION_TABLES, type RebuildReport } from './services/rebuild';
