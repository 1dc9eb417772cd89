// POST and GET /graphql (and SSE, which reads the same body and query string): resolves a
// document id to its listed operation and enforces the client's mode, before the operation
// budget, validation and planning. A refused request is answered here and calls no subgraph.
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '@flow/core';
import type { RequestAuth } from '../auth/authenticate';
import { clientOfRequest, type ClientPolicy, type RequestClient } from './client';
import { resolveDocument, type Resolution } from './resolve';

export type DocumentOutcome = 'listed' | 'text' | 'unlisted_text' | 'apq' | 'refused';

export interface TrustedDocumentsHooks {
  onOutcome?: (client: RequestClient, outcome: DocumentOutcome) => void;
  /** A refusal, by its code. */
  onRefused?: (code: string) => void;
}

const record = (value: unknown): Record<string, unknown> | null =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** The extensions without `persistedQuery` (undefined when nothing else is left). */
function withoutPersistedQuery(extensions: unknown): Record<string, unknown> | undefined {
  const rest = { ...record(extensions) };
  delete rest.persistedQuery;
  return Object.keys(rest).length ? rest : undefined;
}

/** Rewrites the request so that what follows (budget, SSE, Apollo) sees `query` and no id. */
function rewrite(req: Request, query: string, dropPersistedQuery: boolean) {
  if (req.method === 'POST') {
    const body: Record<string, unknown> = { ...(req.body as Record<string, unknown>), query };
    delete body.documentId;
    if (dropPersistedQuery) {
      const extensions = withoutPersistedQuery(body.extensions);
      if (extensions) body.extensions = extensions;
      else delete body.extensions;
    }
    req.body = body;
    return;
  }
  // Express 5 derives req.query from req.url, and Apollo's integration reads req.url's search.
  // Split by hand: URLSearchParams never throws, whatever the path looks like.
  const mark = req.url.indexOf('?');
  const path = mark === -1 ? req.url : req.url.slice(0, mark);
  const params = new URLSearchParams(mark === -1 ? '' : req.url.slice(mark + 1));
  params.set('query', query);
  params.delete('documentId');
  if (dropPersistedQuery) {
    const extensions = withoutPersistedQuery(parseJson(params.get('extensions')));
    if (extensions) params.set('extensions', JSON.stringify(extensions));
    else params.delete('extensions');
  }
  req.url = `${path}?${params.toString()}`;
}

export function trustedDocuments(policy: ClientPolicy, hooks: TrustedDocumentsHooks = {}): RequestHandler {
  return (req: Request, res: Response, next) => {
    const source = req.method === 'POST' ? record(req.body) : req.method === 'GET' ? record(req.query) : null;
    if (!source) return next();
    const auth = res.locals.auth as RequestAuth | undefined;
    const client = clientOfRequest(
      { header: (name) => req.header(name), viewer: auth?.viewer ?? null },
      policy,
    );
    res.locals.client = client;
    const resolution: Resolution = resolveDocument(
      {
        query: source.query,
        documentId: source.documentId,
        extensions: req.method === 'GET' ? parseJson(source.extensions) : source.extensions,
      },
      client,
    );
    switch (resolution.kind) {
      case 'refused':
        hooks.onOutcome?.(client, 'refused');
        hooks.onRefused?.(resolution.code);
        (res.locals.logger as Logger | undefined)?.info(
          { client: client.name, mode: client.mode, code: resolution.code },
          'document refused',
        );
        res.status(resolution.status).json({
          errors: [{ message: resolution.message, extensions: { code: resolution.code } }],
        });
        return;
      case 'listed':
        hooks.onOutcome?.(client, 'listed');
        rewrite(req, resolution.operation.body, true);
        res.locals.operationName = resolution.operation.name;
        return next();
      case 'text':
        if (source.documentId !== undefined) rewrite(req, source.query as string, false);
        if (!resolution.listed && client.mode === 'ids-allowed') {
          // What ids-required would refuse for this client (as Apollo Router's log_unknown).
          (res.locals.logger as Logger | undefined)?.info(
            { client: client.name, operationName: source.operationName },
            'operation not in the client manifest',
          );
        }
        hooks.onOutcome?.(
          client,
          resolution.listed ? 'listed' : client.mode === 'ids-allowed' ? 'unlisted_text' : 'text',
        );
        return next();
      case 'apq':
        hooks.onOutcome?.(client, 'apq');
        return next();
      case 'untouched':
        return next();
    }
  };
}
