import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/**
 * The stable error codes of the public API. Clients branch on `extensions.code`, never on messages.
 * Documented in README.md ("Error codes").
 */
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

type Extensions = Record<string, unknown>;

function flowError(code: ErrorCode, message: string, extensions: Extensions = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

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
// Codes that graphql-js and Apollo Server themselves produce for malformed requests; safe to show.
const frameworkCodes = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

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
