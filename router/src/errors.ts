// The router's Apollo `formatError`, and which codes it logs as unexpected. The codes themselves are
// in the platform's registry (packages/core/src/errors.ts), RouterErrorCode among them.
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, maskError, RouterErrorCode } from '@flow/core';
import { clientMistakeOf, formatClientMistake } from './client-mistakes';

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
