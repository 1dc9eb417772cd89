// The public API of the locations subgraph: what other workspaces (scripts, tests, the platform) use.
export { startLocationsApp, type LocationsApp, type LocationsAppOptions } from './app';
export { locationsEnvironmentShape, parseLocationsConfig, type LocationsConfig } from './env';
export { buildLocationsSchema } from './subgraph';
