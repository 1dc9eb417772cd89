// The public API of @flow/dev-tools: what other packages and workspaces use. Everything else is internal.
export { embeddedClusterDir, type EmbeddedPostgres, startEmbeddedPostgres } from './db/embedded-postgres';
