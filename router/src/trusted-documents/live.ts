// graphql-ws: the same rules as on HTTP for each `subscribe` message. graphql-ws requires a
// string `query`, so a client that sends an id sends `query: ""` with `documentId` or
// `extensions.persistedQuery` beside it.
import type { GraphQLFormattedError } from 'graphql';
import { FrameworkErrorCode } from '@flow/core';
import type { ApqCache } from './apq-cache';
import { clientOfRequest, type ClientPolicy, type ClientViewer } from './client';
import type { TrustedDocumentsHooks } from './middleware';
import { persistedQueryHash, resolveDocument, type DocumentRequest } from './resolve';

/** Apollo Server stores APQ entries under this prefix (requestPipeline's APQ_CACHE_PREFIX). */
const APOLLO_APQ_PREFIX = 'apq:';

export type LiveDocument = { query: string } | { error: GraphQLFormattedError };

export function liveDocuments(policy: ClientPolicy, apq: ApqCache | null, hooks: TrustedDocumentsHooks = {}) {
  return async (
    request: DocumentRequest,
    who: { header: (name: string) => string | undefined; viewer: ClientViewer | null },
  ): Promise<LiveDocument> => {
    const client = clientOfRequest(who, policy);
    const resolution = resolveDocument(request, client);
    const text = typeof request.query === 'string' ? request.query : '';
    switch (resolution.kind) {
      case 'refused':
        hooks.onOutcome?.(client, 'refused');
        hooks.onRefused?.(resolution.code);
        return { error: { message: resolution.message, extensions: { code: resolution.code } } };
      case 'listed':
        hooks.onOutcome?.(client, 'listed');
        return { query: resolution.operation.body };
      case 'text':
        hooks.onOutcome?.(
          client,
          resolution.listed ? 'listed' : client.mode === 'ids-allowed' ? 'unlisted_text' : 'text',
        );
        return { query: text };
      case 'apq': {
        hooks.onOutcome?.(client, 'apq');
        const hash = persistedQueryHash(request.extensions)!;
        if (text) {
          await apq?.set(`${APOLLO_APQ_PREFIX}${hash}`, text);
          return { query: text };
        }
        const found = await apq?.get(`${APOLLO_APQ_PREFIX}${hash}`);
        if (found) return { query: found };
        hooks.onRefused?.('PERSISTED_QUERY_NOT_FOUND');
        return {
          error: {
            message: 'PersistedQueryNotFound',
            extensions: { code: FrameworkErrorCode.PERSISTED_QUERY_NOT_FOUND },
          },
        };
      }
      case 'untouched':
        return { query: text };
    }
  };
}
