// Error codes only the router produces, and the router's Apollo `formatError`.
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, maskError } from '@flow/platform';
import { clientMistakeOf, formatClientMistake } from './client-mistakes';

export const RouterErrorCode = {
  /** The operation is nested deeper than MAX_QUERY_DEPTH. HTTP 400. */
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  /** The operation (fragments expanded) uses more aliases than MAX_QUERY_ALIASES. HTTP 400. */
  TOO_MANY_ALIASES: 'TOO_MANY_ALIASES',
  // Operation budget (budget/index.ts), checked before planning on every transport.
  /** The operation (fragments expanded) selects more fields than MAX_QUERY_SELECTIONS. HTTP 400. */
  TOO_MANY_SELECTIONS: 'TOO_MANY_SELECTIONS',
  /** The operation (expanded) spreads fragments more than MAX_QUERY_FRAGMENT_SPREADS times. HTTP 400. */
  TOO_MANY_FRAGMENT_SPREADS: 'TOO_MANY_FRAGMENT_SPREADS',
  /** The operation (expanded) uses more directives than MAX_QUERY_DIRECTIVES. HTTP 400. */
  TOO_MANY_DIRECTIVES: 'TOO_MANY_DIRECTIVES',
  /** The operation's static cost estimate is above MAX_QUERY_COST. HTTP 400. */
  COST_LIMIT_EXCEEDED: 'COST_LIMIT_EXCEEDED',
  /** The request body is larger than MAX_REQUEST_BODY_BYTES. HTTP 413. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /**
   * Tokens cannot be verified right now (the users JWKS is unreachable): HTTP 503. Also, at a path
   * with `extensions.service` (HTTP 200, the rest kept): that subgraph cannot be reached.
   */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',

  // Client mistakes and subgraph failures (issue 10, item 7; src/client-mistakes.ts, src/subgraph-failures.ts).
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
  // GATEWAY_TIMEOUT and SERVICE_UNAVAILABLE at a path (a subgraph too slow or down, with
  // `extensions.service`) are the platform's own codes (ErrorCode).

  // Caps on live connections (usage/caps.ts). RATE_LIMITED (HTTP 429) is the platform's own code.
  /** A subscription over the per-socket or per-user subscription cap. HTTP 429 over SSE. */
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',
  /** An SSE stream over the per-user stream cap. HTTP 429. */
  TOO_MANY_STREAMS: 'TOO_MANY_STREAMS',
} as const;
export type RouterErrorCode = (typeof RouterErrorCode)[keyof typeof RouterErrorCode];

const routerCodes = new Set<string>(Object.values(RouterErrorCode));

/** Codes whose errors are logged as unexpected (a bug, or a subgraph failing). */
export function isUnexpected(code: unknown, error?: unknown): boolean {
  if (error !== undefined && clientMistakeOf(error)) return false;
  if (typeof code !== 'string') return true;
  if (routerCodes.has(code)) return false;
  return !(Object.values(ErrorCode) as string[]).includes(code) || code === ErrorCode.INTERNAL_SERVER_ERROR;
}

/**
 * The platform's maskError plus the router's own codes; in production also drops the
 * `serviceName` the gateway adds to subgraph errors (`extensions.service`, the public domain name
 * of a subgraph that failed, stays). `original` (Apollo's second formatError argument) lets client
 * mistakes that Apollo or the gateway raised without a code get theirs (src/client-mistakes.ts).
 */
export function formatRouterError(
  formatted: GraphQLFormattedError,
  production: boolean,
  original?: unknown,
): GraphQLFormattedError {
  const mistake = original === undefined ? undefined : clientMistakeOf(original);
  if (mistake) return formatClientMistake(formatted, mistake, production);
  const code = formatted.extensions?.code;
  let result: GraphQLFormattedError;
  if (typeof code === 'string' && routerCodes.has(code)) {
    result = formatted;
  } else {
    result = maskError(formatted, { exposeDetails: !production });
  }
  if (!production || !result.extensions) return result;
  const {
    stacktrace: _stacktrace,
    exception: _exception,
    serviceName: _serviceName,
    ...extensions
  } = result.extensions;
  return { ...result, extensions };
}
