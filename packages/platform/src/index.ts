export * from './env';
export * from './logger';
export * from './errors';
export * from './auth/viewer';
export {
  assertionsFor,
  is,
  isPlatformAdmin,
  partnerHas,
  refuse,
  requirePartnerScope,
  viewerOf,
  type Assertions,
  type Caller,
  type CallingService,
} from './auth/access';
export {
  HOSPITAL_ROLES,
  ORGANIZATION_ADMIN_ROLES,
  ORGANIZATION_STAFF_ROLES,
  VENDOR_ROLES,
  hasRole,
  rolesByOrganizationKind,
  type PersonRole,
} from './auth/roles';
export * from './auth/tokens';
export * from './auth/request-signing';
export * from './http/health';
export * from './http/metrics';
export * from './http/shutdown';
export * from './http/request-id';
export * from './subgraph-server';
export * from './subgraphs';
export type { ConsumedEventType, ConsumerHandlers } from './event-consumers';
export * from './validation';
export * from './graphql/pagination';
export * from './db/database-url';
export * from './db/migrations';
export * from './db/embedded-postgres';
export * from './rate-limit';
export * from './pubsub';
export * from './subgraph-client';
export * from './subgraph-env';
export * from './graphql/scalars';
export * from './graphql/text-arguments';
export * from './idempotency';
export * from './events';
export * from './http/server-policy';
export * from './http/request-deadline';
export * from './http/address-key';
export * from './db/cancellable-pool';
export * from './auth/suspensions';
export * from './auth/oauth';
export { entitiesOf } from './graphql/entities';
export { defineStateMachine } from './state-machine';
export type { StateMachine, StateMachineOptions, Transitions } from './state-machine';
export {
  createSubgraphPrisma,
  type PrismaClientClass,
  type PrismaTransaction,
  type SubgraphPrismaClient,
} from './kit/prisma';
export { startJobs, type RunningJobs, type SubgraphJob } from './kit/jobs';
export { batchGroupLoader, batchLoader, uuidKeys } from './kit/loaders';
export {
  databaseErrorKind,
  isUniqueViolation,
  translateDatabaseError,
  type DatabaseErrorKind,
} from './kit/database-errors';
export {
  defineSubgraph,
  startSubgraph,
  subgraphMigrationsDir,
  type SubgraphDefinition,
  type SubgraphStart,
  type LivePublisher,
  type SubgraphKitConfig,
  type SubgraphParts,
  type SubgraphSpec,
  type SubgraphStartOptions,
  type SubgraphWiring,
} from './kit/subgraph';
export { runSubgraph } from './kit/main';
