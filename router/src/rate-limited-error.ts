// Its own file so that the usage limits (which the configuration's types import) can build it
// without importing the sign-in throttle, which imports the configuration.
import { GraphQLError } from 'graphql';
import { errors } from '@flow/core';

/**
 * The one RATE_LIMITED error of the router (sign-in throttle and operation budgets): HTTP 429 with
 * `Retry-After` and `extensions.retryAfterSeconds`; `what` says whose limit, `extensions` adds to it.
 */
export function rateLimitedError(
  retryAfterMs: number,
  what = 'Too many sign-in attempts from this address.',
  extensions: Record<string, unknown> = {},
): GraphQLError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const base = errors.rateLimited(retryAfterSeconds);
  return new GraphQLError(`${what} Try again in ${retryAfterSeconds} s.`, {
    extensions: {
      ...base.extensions,
      ...extensions,
      http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
    },
  });
}
