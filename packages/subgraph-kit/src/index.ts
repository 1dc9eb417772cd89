// The public API of @flow/subgraph-kit: what other packages and workspaces use. Everything else is internal.
export {
  createPgAdapter,
  subgraphDatabase,
  type SubgraphDatabase,
  subgraphDatabaseUrlVariable,
  withSearchPath,
} from './db/database-url';
export {
  applyMigrations,
  dropSchema,
  migrationChecksum,
  quoteIdentifier,
  readMigrations,
} from './db/migrations';
export { throwIfAborted } from './http/request-deadline';
export {
  batchGroupLoader,
  batchLoader,
  rowByIdLoader,
  rowsByColumnLoader,
  type RowsById,
  type RowsByColumn,
} from './kit/loaders';
export { runSubgraph } from './kit/main';
export { createSubgraphPrisma, type PrismaTransaction } from './kit/prisma';
export {
  defineSubgraph,
  startSubgraph,
  type SubgraphKitConfig,
  subgraphMigrationsDir,
  type SubgraphStart,
  type SubgraphStartOptions,
} from './kit/subgraph';
export { type CallContext, SubgraphClient, type TypedDocumentNode, withoutDeadline } from './subgraph-client';
export { type JsonAnswer, type PostJson, postJsonTo } from './http/post-json';
export {
  deadlineEnvironmentShape,
  DEVELOPMENT_ROUTER_SECRET,
  idempotencyKeyTtlHoursSchema,
  platformCurrencySchema,
  defineSubgraphConfig,
  type SubgraphCommonConfig,
  type SubgraphConfigDefinition,
  type DefinedSubgraphConfig,
  type SubgraphConfigReader,
  type SubgraphEnvironment,
  type SubgraphShape,
  subgraphEnvironmentShape,
  type SubgraphName,
  suspensionRefreshMsSchema,
} from './subgraph-env';
export {
  type BaseContext,
  batchSignedOperation,
  CLIENT_ADDRESS_HEADER,
  type RunningSubgraph,
  startSubgraphServer,
} from './subgraph-server';
export {
  databaseErrorKind,
  type DatabaseErrorKind,
  isUniqueViolation,
  translateDatabaseError,
} from './kit/database-errors';
