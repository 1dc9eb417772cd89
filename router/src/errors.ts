// Error codes only the router produces, and the router's Apollo `formatError`.
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, maskError } from '@flow/platform';

export const RouterErrorCode = {
  /** The operation is nested deeper than MAX_QUERY_DEPTH. HTTP 400. */
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  /** The operation (fragments expanded) uses more aliases than MAX_QUERY_ALIASES. HTTP 400. */
  TOO_MANY_ALIASES: 'TOO_MANY_ALIASES',
  /** The request body is larger than MAX_REQUEST_BODY_BYTES. HTTP 413. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** Tokens cannot be verified right now (the users JWKS is unreachable). HTTP 503. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  // Caps on live connections (usage/caps.ts). RATE_LIMITED (HTTP 429) is the platform's own code.
  /** A subscription over the per-socket or per-user subscription cap. HTTP 429 over SSE. */
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',
  /** An SSE stream over the per-user stream cap. HTTP 429. */
  TOO_MANY_STREAMS: 'TOO_MANY_STREAMS',
} as const;
export type RouterErrorCode = (typeof RouterErrorCode)[keyof typeof RouterErrorCode];

const routerCodes = new Set<string>(Object.values(RouterErrorCode));

/** Codes whose errors are logged as unexpected (a bug, or a subgraph failing). */
export function isUnexpected(code: unknown): boolean {
  if (typeof code !== 'string') return true;
  if (routerCodes.has(code)) return false;
  return !(Object.values(ErrorCode) as string[]).includes(code) || code === ErrorCode.INTERNAL_SERVER_ERROR;
}

/**
 * The platform's maskError plus the router's own codes; in production also drops the
 * `serviceName` the gateway adds to subgraph errors (internal topology is nobody's business).
 */
export function formatRouterError(
  formatted: GraphQLFormattedError,
  production: boolean,
): GraphQLFormattedError {
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
