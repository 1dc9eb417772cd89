// The public API of @flow/dev-tools: what other packages and workspaces use. Everything else is internal.
export {
  awaitEmbeddedPostgres,
  embeddedClusterDir,
  type EmbeddedPostgres,
  prepareEmbeddedPostgres,
  type PreparedPostgres,
  startEmbeddedPostgres,
} from './db/embedded-postgres';
