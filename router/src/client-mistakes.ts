// Client mistakes that Apollo Server and the gateway report without a stable code or with the
// wrong HTTP status (item 7 of issue 10). Left alone they answer 500 / INTERNAL_SERVER_ERROR
// (production masks unknown codes), which tells a client "retry later" when it must fix the request.
//
// One table maps each of them to a code and a 4xx status. The router uses it in two places:
// formatError (the code, before masking) and willSendResponse (the status). Apollo's and the
// gateway's messages are the only thing that identifies some of these errors (they are raised as
// plain Errors), so the table is pinned by router/test/client-mistakes.test.ts.
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { FrameworkErrorCode, RouterErrorCode, type KnownErrorCode } from '@flow/core';

export interface ClientMistake {
  code: KnownErrorCode;
  status: number;
  /** Shown in production instead of the framework's message (which may change between versions). */
  publicMessage: string;
}

interface Rule {
  matches: (error: GraphQLError) => boolean;
  mistake: ClientMistake;
}

const SUBSCRIPTION_NEEDS_STREAM_MESSAGE =
  'Subscriptions need a streaming transport: send the request with `Accept: text/event-stream` (SSE), or use graphql-ws over a WebSocket on /graphql.';

const codeIs = (code: KnownErrorCode) => (error: GraphQLError) => error.extensions?.code === code;
const messageStarts = (prefix: string) => (error: GraphQLError) =>
  error.message.startsWith(prefix) && !error.extensions?.code;

const rules: Rule[] = [
  {
    // APQ: the hash is not known yet; the client retries with the full query (Apollo Client does).
    matches: codeIs('PERSISTED_QUERY_NOT_FOUND'),
    mistake: { code: 'PERSISTED_QUERY_NOT_FOUND', status: 400, publicMessage: 'PersistedQueryNotFound' },
  },
  {
    matches: codeIs('PERSISTED_QUERY_NOT_SUPPORTED'),
    mistake: {
      code: 'PERSISTED_QUERY_NOT_SUPPORTED',
      status: 400,
      publicMessage: 'PersistedQueryNotSupported',
    },
  },
  {
    // Apollo Server: extensions.persistedQuery.sha256Hash is not the SHA-256 of `query`.
    matches: messageStarts('provided sha does not match query'),
    mistake: {
      code: 'PERSISTED_QUERY_HASH_MISMATCH',
      status: 400,
      publicMessage: 'extensions.persistedQuery.sha256Hash is not the SHA-256 of the query.',
    },
  },
  {
    // Apollo Server: extensions.persistedQuery.version is not 1 (or persistedQuery is not an object).
    matches: messageStarts('Unsupported persisted query version'),
    mistake: {
      code: 'PERSISTED_QUERY_VERSION_NOT_SUPPORTED',
      status: 400,
      publicMessage: 'Only version 1 of automatic persisted queries is supported.',
    },
  },
  {
    // The gateway's own operation checks (unknown operationName, several operations without one,
    // a literal no scalar can represent, e.g. the Float 1.79e309): federation's INVALID_GRAPHQL.
    matches: codeIs('INVALID_GRAPHQL'),
    mistake: {
      code: 'GRAPHQL_VALIDATION_FAILED',
      status: 400,
      publicMessage: 'The operation is not valid.',
    },
  },
  {
    matches: codeIs('OPERATION_RESOLUTION_FAILURE'),
    mistake: {
      code: 'OPERATION_RESOLUTION_FAILURE',
      status: 400,
      publicMessage: 'The operation to run could not be determined.',
    },
  },
  {
    // Raised by the router itself (didResolveOperation): listed for its status and its count.
    matches: codeIs('SUBSCRIPTION_NEEDS_STREAM'),
    mistake: {
      code: 'SUBSCRIPTION_NEEDS_STREAM',
      status: 400,
      publicMessage: SUBSCRIPTION_NEEDS_STREAM_MESSAGE,
    },
  },
  {
    // @apollo/query-planner refuses operations above its own limits (10,000,000 recursive
    // selections, 100,000 non-local selections) with plain Errors.
    matches: (error) =>
      messageStarts('Exceeded maximum recursive selections')(error) ||
      messageStarts('Number of non-local selections exceeds limit')(error),
    mistake: {
      code: 'PLANNING_LIMIT_EXCEEDED',
      status: 400,
      publicMessage: 'The operation is too large to plan. Use fewer fragments or selections.',
    },
  },
];

/** The client mistake `error` reports, if it is one of those in the table. */
export function clientMistakeOf(error: unknown): ClientMistake | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  return rules.find((rule) => rule.matches(error))?.mistake;
}

/** The formatted error for a client mistake: its code, and in production the stable message. */
export function formatClientMistake(
  formatted: GraphQLFormattedError,
  mistake: ClientMistake,
  production: boolean,
): GraphQLFormattedError {
  return {
    message: production ? mistake.publicMessage : formatted.message,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    extensions: { code: mistake.code },
  };
}

const statusByCode = new Map<string, number>(rules.map(({ mistake }) => [mistake.code, mistake.status]));

/**
 * The client mistake of a response made only of errors (no `data`): its code (the one with the
 * highest status) and the status the response must have; `status` is undefined when Apollo's
 * (a 4xx other than 200) already stands.
 */
export function requestMistake(
  current: number | undefined,
  errors: readonly GraphQLFormattedError[],
): { code: string; status: number | undefined } | undefined {
  let found: { code: string; status: number } | undefined;
  for (const error of errors) {
    const code = String(error.extensions?.code);
    const status = statusByCode.get(code);
    if (status !== undefined && (!found || status > found.status)) found = { status, code };
  }
  if (!found) return undefined;
  const keep = current !== undefined && current !== 200 && current < 500;
  return { code: found.code, status: keep ? undefined : found.status };
}

/** A subscription sent as a plain HTTP request: it needs a stream (SSE or graphql-ws). */
export function subscriptionNeedsStreamError(): GraphQLError {
  return new GraphQLError(SUBSCRIPTION_NEEDS_STREAM_MESSAGE, {
    extensions: { code: RouterErrorCode.SUBSCRIPTION_NEEDS_STREAM, http: { status: 400 } },
  });
}

/** No operation matches: unknown `operationName`, or several operations and no `operationName`. */
export function operationNotFoundError(operationName: string | undefined | null): GraphQLError {
  return new GraphQLError(
    operationName
      ? `The document has no operation named "${operationName.slice(0, 100)}".`
      : 'The document has several operations: send `operationName` to choose one.',
    { extensions: { code: FrameworkErrorCode.OPERATION_RESOLUTION_FAILURE, http: { status: 400 } } },
  );
}
