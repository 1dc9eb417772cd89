// The public API of @flow/core: what other packages and workspaces use. Everything else is internal.
export {
  type Assertions,
  assertionsFor,
  type Caller,
  type CallingService,
  is,
  isPlatformAdmin,
} from './auth/access';
export { OAUTH_TOKEN_MAX_BODY_BYTES, OAUTH_TOKEN_PATH, oauthTokenSignedOperation } from './auth/oauth';
export {
  DEADLINE_HEADER,
  REQUEST_ID_HEADER,
  SERVICE_HEADER,
  SIGNATURE_HEADER,
  type SignedParts,
  signRequest,
  TIMESTAMP_HEADER,
  verifyRequestSignature,
} from './auth/request-signing';
export { rolesByOrganizationKind } from './auth/roles';
export {
  DEFAULT_SUSPENSION_REFRESH_MS,
  MAX_SUSPENSION_LONG_POLL_MS,
  parseSuspensionList,
  remoteSuspendedOrganizations,
  servedSuspensionList,
  subgraphSuspendedOrganizations,
  SUSPENDED_ORGANIZATIONS_PATH,
  SUSPENDED_ORGANIZATIONS_SIGNED_OPERATION,
  SuspendedOrganizations,
  SUSPENSION_LONG_POLL_MS,
  suspensionListVersion,
  type KnownSuspensionList,
  type SuspendedOrganizationsLoader,
} from './auth/suspensions';
export {
  bearerToken,
  CLOCK_TOLERANCE_SECONDS,
  createRemoteTokenVerifier,
  createTokenVerifier,
  DEFAULT_MAX_TOKEN_AGE_SECONDS,
  InvalidTokenError,
  isKeysUnavailable,
  type JwksOptions,
  jwksOptionsFromEnv,
  type TokenVerifier,
  VERIFIED_TOKEN_CACHE_SECONDS,
} from './auth/tokens';
export { BoundedCache } from './bounded-cache';
export {
  type OrganizationKind,
  PARTNER_SCOPES,
  type PartnerScope,
  requireViewer,
  type Role,
  scopesForRole,
  type Viewer,
} from './auth/viewer';
export {
  booleanSchema,
  disableTelemetry,
  flowEnvSchema,
  InvalidEnvironmentError,
  loadEnvironmentOrExit,
  logLevelSchema,
  parseEnvironment,
  portSchema,
  z,
} from './env';
export {
  CLIENT_ERROR_CODES,
  ErrorCode,
  errors,
  FrameworkErrorCode,
  InternalErrorCode,
  type KnownErrorCode,
  maskError,
  RouterErrorCode,
} from './errors';
export { entitiesOf } from './graphql/entities';
export {
  type Connection,
  decodeCursor,
  type KeysetCursor,
  MAX_PAGE_SIZE,
  pageByCreatedAt,
  pageSize,
  toConnection,
} from './graphql/pagination';
export { DateTime } from './graphql/scalars';
export { findInvalidText, invalidTextError, invalidTextPlugin } from './graphql/text-arguments';
export { addressKey } from './http/address-key';
export { type HealthState, mountHealth, type ReadinessCheck } from './http/health';
export { createMetrics, type Metrics, mountMetrics, observeStatements } from './http/metrics';
export { requestIdFrom, requestIdMiddleware } from './http/request-id';
export {
  createHttpServer,
  type RequestPrototypes,
  DEFAULT_HTTP_SERVER_POLICY,
  type HttpServerPolicy,
  httpServerPolicyFromEnv,
  httpServerPolicyProblems,
  httpServerPolicyShape,
} from './http/server-policy';
export { onShutdownSignal } from './http/shutdown';
export { IdempotencyKeys, requestHash } from './idempotency';
export { createLogger, type Logger } from './logger';
export {
  defineStateMachine,
  type StateMachine,
  type StateMachineOptions,
  type Transitions,
} from './state-machine';
export {
  defaultSubgraphUrl,
  ROUTER_PORT,
  subgraphCatalog,
  type SubgraphCatalog,
  type SubgraphCatalogEntry,
  subgraphUrlVariable,
} from './subgraphs';
export { isUuid, requireEmail, requireOneOf, requireText, requireUuid } from './validation';
export { RENAMED_VARIABLES, type RenamedVariable } from './env-renames';
