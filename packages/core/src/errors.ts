import { GraphQLError, type GraphQLFormattedError } from 'graphql';

// The registry of every `extensions.code` Flow sends or reads, in four groups by who raises it.
// Clients branch on the code, never on messages; README.md ("Error codes") lists every code a
// client can get (ErrorCode, RouterErrorCode, FrameworkErrorCode), test/error-codes.test.ts holds
// it to that. A code outside the registry does not typecheck where a code is expected (KnownErrorCode).

/** The stable error codes of the public API, raised by the subgraphs and the router alike. */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  ACCOUNT_LOCKED: 'ACCOUNT_LOCKED',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  INVALID_REFRESH_TOKEN: 'INVALID_REFRESH_TOKEN',
  RATE_LIMITED: 'RATE_LIMITED',
  OUT_OF_STOCK: 'OUT_OF_STOCK',
  PAYMENT_DECLINED: 'PAYMENT_DECLINED',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  /**
   * placeOrder's outcome was not known by the deadline: the order may still be placed. Retry with
   * the same idempotency key (`extensions.idempotencyKey`) to learn it.
   */
  ORDER_PENDING: 'ORDER_PENDING',
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  TOO_MANY_ALIASES: 'TOO_MANY_ALIASES',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** The caller's deadline passed (or it went away): the remaining work was stopped. */
  GATEWAY_TIMEOUT: 'GATEWAY_TIMEOUT',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes only the router raises; its formatError passes them unmasked (router/src/errors.ts). */
export const RouterErrorCode = {
  // Operation budget (router/src/budget/), checked before planning on every transport.
  /** The operation is nested deeper than MAX_QUERY_DEPTH. HTTP 400. */
  QUERY_TOO_DEEP: ErrorCode.QUERY_TOO_DEEP,
  /** The operation (fragments expanded) uses more aliases than MAX_QUERY_ALIASES. HTTP 400. */
  TOO_MANY_ALIASES: ErrorCode.TOO_MANY_ALIASES,
  /** The operation (fragments expanded) selects more fields than MAX_QUERY_SELECTIONS. HTTP 400. */
  TOO_MANY_SELECTIONS: 'TOO_MANY_SELECTIONS',
  /** The operation (expanded) spreads fragments more than MAX_QUERY_FRAGMENT_SPREADS times. HTTP 400. */
  TOO_MANY_FRAGMENT_SPREADS: 'TOO_MANY_FRAGMENT_SPREADS',
  /** The operation (expanded) uses more directives than MAX_QUERY_DIRECTIVES. HTTP 400. */
  TOO_MANY_DIRECTIVES: 'TOO_MANY_DIRECTIVES',
  /** The operation's static cost estimate is above MAX_QUERY_COST. HTTP 400. */
  COST_LIMIT_EXCEEDED: 'COST_LIMIT_EXCEEDED',
  /** The request body is larger than MAX_REQUEST_BODY_BYTES. HTTP 413. */
  PAYLOAD_TOO_LARGE: ErrorCode.PAYLOAD_TOO_LARGE,
  /**
   * Tokens cannot be verified right now (the users JWKS is unreachable): HTTP 503. Also, at a path
   * with `extensions.service` (HTTP 200, the rest kept): that subgraph cannot be reached.
   */
  SERVICE_UNAVAILABLE: ErrorCode.SERVICE_UNAVAILABLE,

  // Client mistakes (router/src/client-mistakes.ts). GATEWAY_TIMEOUT and SERVICE_UNAVAILABLE at a
  // path (a subgraph too slow or down, with `extensions.service`) are the public ErrorCode's.
  /** A subscription sent as a plain POST: it needs SSE or graphql-ws. HTTP 400 (plain GET: Apollo's 405). */
  SUBSCRIPTION_NEEDS_STREAM: 'SUBSCRIPTION_NEEDS_STREAM',
  /** The query planner's own limits (recursive or non-local selections) refused the operation. HTTP 400. */
  PLANNING_LIMIT_EXCEEDED: 'PLANNING_LIMIT_EXCEEDED',
  /** APQ: `sha256Hash` is not the SHA-256 of the query sent with it. HTTP 400. */
  PERSISTED_QUERY_HASH_MISMATCH: 'PERSISTED_QUERY_HASH_MISMATCH',
  /**
   * Trusted documents: free text (or an APQ registration) from a client that may only send the id
   * of an operation listed in its manifest. HTTP 400.
   */
  PERSISTED_QUERY_NOT_IN_LIST: 'PERSISTED_QUERY_NOT_IN_LIST',
  /** APQ: a `persistedQuery` version other than 1. HTTP 400. */
  PERSISTED_QUERY_VERSION_NOT_SUPPORTED: 'PERSISTED_QUERY_VERSION_NOT_SUPPORTED',

  // Caps on live connections (router/src/usage/caps.ts). RATE_LIMITED (HTTP 429) is ErrorCode's.
  /** A subscription over the per-socket or per-user subscription cap. HTTP 429 over SSE. */
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',
  /** An SSE stream over the per-user stream cap. HTTP 429. */
  TOO_MANY_STREAMS: 'TOO_MANY_STREAMS',
} as const;
export type RouterErrorCode = (typeof RouterErrorCode)[keyof typeof RouterErrorCode];

/** Codes graphql-js and Apollo Server themselves give malformed requests; safe to show. */
export const FrameworkErrorCode = {
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  BAD_REQUEST: 'BAD_REQUEST',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
} as const;
export type FrameworkErrorCode = (typeof FrameworkErrorCode)[keyof typeof FrameworkErrorCode];

/** Codes inside the router that never reach a client as they are (masked or mapped first). */
export const InternalErrorCode = {
  /** The gateway's: a subgraph answered a non-2xx status (`extensions.status`). */
  SUBGRAPH_HTTP_ERROR: 'SUBGRAPH_HTTP_ERROR',
  /** A call to a subgraph failed neither by timeout nor by network (router/src/subgraph-failures.ts). */
  SUBGRAPH_REQUEST_FAILED: 'SUBGRAPH_REQUEST_FAILED',
  /** Federation's for an operation the gateway cannot plan; sent as GRAPHQL_VALIDATION_FAILED. */
  INVALID_GRAPHQL: 'INVALID_GRAPHQL',
} as const;
export type InternalErrorCode = (typeof InternalErrorCode)[keyof typeof InternalErrorCode];

/** Every code in the registry. */
export type KnownErrorCode = ErrorCode | RouterErrorCode | FrameworkErrorCode | InternalErrorCode;

/** The codes a client may get, i.e. the ones README.md documents. */
export const CLIENT_ERROR_CODES: ReadonlySet<KnownErrorCode> = new Set<KnownErrorCode>([
  ...Object.values(ErrorCode),
  ...Object.values(RouterErrorCode),
  ...Object.values(FrameworkErrorCode),
]);

type Extensions = Record<string, unknown>;

/** A GraphQL error with `extensions.code` from the registry, for codes no factory below covers. */
export function codedError(code: KnownErrorCode, message: string, extensions: Extensions = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

const flowError: (code: ErrorCode, message: string, extensions?: Extensions) => GraphQLError = codedError;

export const errors = {
  unauthenticated: (message = 'You must be signed in to do this.') =>
    flowError(ErrorCode.UNAUTHENTICATED, message),
  forbidden: (message = 'You are not allowed to do this.') => flowError(ErrorCode.FORBIDDEN, message),
  /** The caller's organization is suspended: every token of it is refused (auth/suspensions.ts). */
  organizationSuspended: () =>
    flowError(ErrorCode.FORBIDDEN, 'Your organization is suspended. Contact Flow support.', {
      reason: 'ORGANIZATION_SUSPENDED',
    }),
  /** A partner's client application was revoked: its tokens are refused (auth/suspensions.ts). */
  clientApplicationRevoked: () =>
    flowError(ErrorCode.FORBIDDEN, 'This client application was revoked.', {
      reason: 'CLIENT_APPLICATION_REVOKED',
    }),
  /**
   * The client secret a partner token was obtained with has ended (rotated away, its overlap
   * over): the application lives on, so a new token from its current secret works.
   */
  clientSecretEnded: () =>
    flowError(
      ErrorCode.FORBIDDEN,
      'The client secret this token was obtained with has ended. Get a new token with the current secret.',
      { reason: 'CLIENT_SECRET_ENDED' },
    ),
  /** `field` is the input path of the offending value, e.g. `input.email`. */
  badUserInput: (field: string, message: string) => flowError(ErrorCode.BAD_USER_INPUT, message, { field }),
  notFound: (entity: string, id?: string) =>
    flowError(ErrorCode.NOT_FOUND, `${entity} not found.`, id === undefined ? { entity } : { entity, id }),
  conflict: (message: string, extensions: Extensions = {}) =>
    flowError(ErrorCode.CONFLICT, message, extensions),
  accountLocked: (lockedUntil: Date) =>
    flowError(ErrorCode.ACCOUNT_LOCKED, 'Too many failed sign-in attempts. Try again later.', {
      lockedUntil: lockedUntil.toISOString(),
      retryAfterSeconds: Math.max(1, Math.ceil((lockedUntil.getTime() - Date.now()) / 1000)),
    }),
  invalidCredentials: () => flowError(ErrorCode.INVALID_CREDENTIALS, 'Email or password is incorrect.'),
  invalidRefreshToken: () =>
    flowError(
      ErrorCode.INVALID_REFRESH_TOKEN,
      'The refresh token is invalid, expired or revoked. Sign in again.',
    ),
  /** A service this one depends on cannot answer right now; nothing was changed. Retry later. */
  serviceUnavailable: (service: string) =>
    flowError(
      ErrorCode.SERVICE_UNAVAILABLE,
      `The ${service} service is unavailable right now. Try again shortly.`,
      {
        service,
      },
    ),
  /** The request's deadline passed: this part of the work was not started. */
  deadlineExceeded: () =>
    flowError(ErrorCode.GATEWAY_TIMEOUT, 'The request ran out of time before this part was done.'),
  /** The placement may still succeed: nothing is known yet, so neither success nor failure is said. */
  orderPending: (idempotencyKey: string, orderId?: string | null) =>
    flowError(
      ErrorCode.ORDER_PENDING,
      'The order is still being placed. Retry with the same idempotency key to get its outcome.',
      orderId ? { idempotencyKey, orderId, retryable: true } : { idempotencyKey, retryable: true },
    ),
  outOfStock: (message: string, extensions: Extensions = {}) =>
    flowError(ErrorCode.OUT_OF_STOCK, message, extensions),
  rateLimited: (retryAfterSeconds: number) =>
    flowError(ErrorCode.RATE_LIMITED, 'Too many requests. Slow down.', { retryAfterSeconds }),
};

const publicCodes = new Set<string>(Object.values(ErrorCode));
const frameworkCodes = new Set<string>(Object.values(FrameworkErrorCode));

/**
 * Apollo `formatError`: errors we raised on purpose pass through; anything else (a database
 * error, a bug) becomes a generic INTERNAL_SERVER_ERROR so that no SQL, stack or internal message
 * reaches a client. The original is logged by the caller.
 */
export function maskError(
  formatted: GraphQLFormattedError,
  options: { exposeDetails: boolean },
): GraphQLFormattedError {
  const code = typeof formatted.extensions?.code === 'string' ? formatted.extensions.code : undefined;
  if (
    code &&
    (publicCodes.has(code) || frameworkCodes.has(code)) &&
    code !== ErrorCode.INTERNAL_SERVER_ERROR
  ) {
    const { stacktrace: _stacktrace, exception: _exception, ...extensions } = formatted.extensions ?? {};
    return options.exposeDetails ? formatted : { ...formatted, extensions };
  }
  if (options.exposeDetails) return formatted;
  return {
    message: 'Internal server error.',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}
