// What counts as a proper answer to a corpus entry. The documented codes are the registry's codes
// a client may get (packages/core/src/errors.ts: the public codes, the router's own, and
// Apollo's request codes), so a code a protection adds to RouterErrorCode is documented by being
// added there (and README.md's table, which a test holds to the registry).
import { CLIENT_ERROR_CODES, ErrorCode } from '@flow/core';
import type { CorpusEntry } from './corpus';
import type { Observation } from './client';

export const DOCUMENTED_CODES: ReadonlySet<string> = new Set(
  [...CLIENT_ERROR_CODES].filter((code) => code !== ErrorCode.INTERNAL_SERVER_ERROR),
);

/**
 * Close codes a refused WebSocket may get: graphql-ws's own (4400 bad request, 4401 unauthorized,
 * 4403 forbidden, 4408 init timeout, 4409 subscriber exists, 4429 too many init requests), the
 * WebSocket protocol's for a bad frame (1007 invalid UTF-8, 1008 policy, 1009 too big), and 4413
 * (payload too large) and 4429 for limits.
 */
export const DOCUMENTED_CLOSE_CODES: ReadonlySet<number> = new Set([
  1007, 1008, 1009, 4400, 4401, 4403, 4408, 4409, 4413, 4429,
]);

/** Anything a server may never answer: a 5xx, an internal error code, a dropped socket, no answer. */
export function serverFailure(observation: Observation): string | null {
  if (observation.failure) return observation.failure;
  if (observation.status !== undefined && observation.status >= 500) return `HTTP ${observation.status}`;
  if (observation.codes.includes(ErrorCode.INTERNAL_SERVER_ERROR)) return 'INTERNAL_SERVER_ERROR';
  if (
    observation.closeCode !== undefined &&
    !DOCUMENTED_CLOSE_CODES.has(observation.closeCode) &&
    observation.closeCode !== 1000
  )
    return `WebSocket closed with ${observation.closeCode}`;
  return null;
}

const undocumented = (observation: Observation) =>
  observation.codes.filter((code) => !DOCUMENTED_CODES.has(code)).map((code) => code || '(no code)');

/** Null when the observation is what the entry expects, else why not. */
export function judge(entry: CorpusEntry, observation: Observation): string | null {
  const failure = serverFailure(observation);
  if (failure) return failure;
  const bad = undocumented(observation);
  if (bad.length > 0) return `undocumented codes ${[...new Set(bad)].join(', ')}`;
  for (const text of entry.expect.absent ?? [])
    if (observation.text.includes(text)) return `the answer contains "${text}"`;
  const wanted = entry.expect.codes;
  switch (entry.expect.outcome) {
    case 'refused': {
      if (observation.data) return 'expected a refusal, got data';
      const closed = observation.closeCode !== undefined && DOCUMENTED_CLOSE_CODES.has(observation.closeCode);
      if (observation.codes.length === 0 && !closed)
        return `refused without a code (${describe(observation)})`;
      if (
        observation.status !== undefined &&
        observation.status !== 200 &&
        (observation.status < 400 || observation.status >= 500)
      )
        return `HTTP ${observation.status}`;
      // APQ's protocol answers an unknown hash with 200 PERSISTED_QUERY_NOT_FOUND (the client then sends the query).
      const apqMiss = observation.codes.every((code) => code === 'PERSISTED_QUERY_NOT_FOUND');
      if (
        observation.status === 200 &&
        !apqMiss &&
        observation.transport !== 'sse-post' &&
        observation.transport !== 'sse-get'
      )
        return 'refused with HTTP 200 (a refusal is a 4xx)';
      if (wanted && !closed && !observation.codes.some((code) => wanted.includes(code)))
        return `expected ${wanted.join('|')}, got ${observation.codes.join(', ')}`;
      return null;
    }
    case 'accepted':
      if (!observation.data || observation.errors > 0) return `expected data, got ${describe(observation)}`;
      if (observation.status !== undefined && observation.status !== 200) return `HTTP ${observation.status}`;
      return null;
    case 'answered':
      return null;
    case 'throttled': {
      if (!observation.codes.includes('RATE_LIMITED'))
        return `expected RATE_LIMITED, got ${describe(observation)}`;
      const http = observation.status !== undefined && observation.status !== 200;
      if (http && observation.status !== 429) return `RATE_LIMITED with HTTP ${observation.status}`;
      if (http && !observation.headers?.['retry-after']) return 'RATE_LIMITED without Retry-After';
      return null;
    }
  }
}

export function describe(observation: Observation): string {
  const parts = [
    observation.status !== undefined ? `HTTP ${observation.status}` : null,
    observation.closeCode !== undefined ? `close ${observation.closeCode}` : null,
    observation.codes.length ? `codes ${[...new Set(observation.codes)].join(',')}` : null,
    observation.data ? 'data' : null,
    observation.failure ?? null,
  ].filter(Boolean);
  return `${parts.join(', ') || 'nothing'}: ${observation.text.slice(0, 160).replace(/\s+/g, ' ')}`;
}
