// What to do with one request's document, given its client (client.ts): the rules of trusted
// documents and automatic persisted queries in one pure function, shared by every transport.
import { RouterErrorCode, type KnownErrorCode } from '@flow/core';
import type { RequestClient } from './client';
import type { TrustedOperation } from './registry';
import { textSha256Hex as sha256Hex } from './text-hashes';

export interface DocumentRequest {
  query?: unknown;
  /** The GraphQL-over-HTTP trusted documents field (Hive, Grafbase). */
  documentId?: unknown;
  extensions?: unknown;
}

export type Resolution =
  /** A listed operation: run its manifest body (the request's own text, if any, is the same). */
  | { kind: 'listed'; operation: TrustedOperation }
  /** Free text the client may send; `listed` when it is the body of one of its listed operations. */
  | { kind: 'text'; listed: boolean }
  /** Automatic persisted query (lookup, or registration with the text): Apollo's APQ handles it. */
  | { kind: 'apq' }
  /** Nothing to decide here (no document, a malformed one): Apollo answers it. */
  | { kind: 'untouched' }
  | { kind: 'refused'; code: string; status: number; message: string };

const record = (value: unknown): Record<string, unknown> | null =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

const refused = (code: KnownErrorCode, message: string, status = 400): Resolution => ({
  kind: 'refused',
  code,
  status,
  message,
});

const NOT_IN_LIST = () =>
  refused(
    RouterErrorCode.PERSISTED_QUERY_NOT_IN_LIST,
    'This client may only run the operations listed in its manifest: send the id of one (documentId or extensions.persistedQuery.sha256Hash), not its text.',
  );

/** The APQ hash of `extensions.persistedQuery` (version 1 only; Apollo refuses other versions). */
export function persistedQueryHash(extensions: unknown): string | undefined {
  const persisted = record(record(extensions)?.persistedQuery);
  return persisted?.version === 1 && typeof persisted.sha256Hash === 'string'
    ? persisted.sha256Hash
    : undefined;
}

export function resolveDocument(request: DocumentRequest, client: RequestClient): Resolution {
  if (request.documentId !== undefined && typeof request.documentId !== 'string')
    return refused('BAD_REQUEST', '`documentId` must be a string.');
  const query = typeof request.query === 'string' && request.query !== '' ? request.query : undefined;
  const documentId = request.documentId as string | undefined;
  const id = documentId ?? persistedQueryHash(request.extensions);

  if (id === undefined) {
    if (query === undefined) return { kind: 'untouched' };
    if (client.mode === 'ids-required') return NOT_IN_LIST();
    return { kind: 'text', listed: client.operations.has(sha256Hex(query)) };
  }
  if (query !== undefined && sha256Hex(query) !== id)
    return refused(
      RouterErrorCode.PERSISTED_QUERY_HASH_MISMATCH,
      'The document id is not the SHA-256 of the query sent with it.',
    );
  const operation = client.operations.get(id);
  if (operation) return { kind: 'listed', operation };
  if (query === undefined) {
    // An APQ hash may name a document another request registered; a documentId names manifests only.
    if (documentId === undefined && client.mayRegister) return { kind: 'apq' };
    return refused('PERSISTED_QUERY_NOT_FOUND', 'No operation with this id is listed for this client.');
  }
  // The text with its own hash: a registration (APQ) or plain text with a redundant id.
  if (client.mode === 'ids-required' || (documentId === undefined && !client.mayRegister))
    return NOT_IN_LIST();
  return documentId === undefined ? { kind: 'apq' } : { kind: 'text', listed: false };
}
