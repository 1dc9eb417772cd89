import { createHash } from 'node:crypto';

/** Where a consumer subgraph takes pushed events when there is no broker. */
export const EVENT_INBOX_PATH = '/events/inbox';

/** The inbox next to a subgraph's GraphQL endpoint: `http://h:8010/graphql` -> `http://h:8010/events/inbox`. */
export function eventInboxUrl(graphqlUrl: string): string {
  return new URL(EVENT_INBOX_PATH.slice(1), graphqlUrl).toString();
}

/**
 * What a push signs in place of a GraphQL operation: the path, and the body's digest, so that a
 * captured signature cannot carry other events.
 */
export function inboxSignedOperation(body: Buffer | string) {
  return {
    query: EVENT_INBOX_PATH,
    operationName: null,
    variables: { sha256: createHash('sha256').update(body).digest('hex') },
  };
}
