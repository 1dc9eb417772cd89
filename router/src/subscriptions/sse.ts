import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { GraphQLFormattedError } from 'graphql';
import { errors, FrameworkErrorCode, type Logger } from '@flow/core';
import type { RequestAuth } from '../auth/authenticate';
import type { SuspendedConnections } from '../auth/suspended-connections';
import type { RouterContext } from '../context';
import { CSRF_REFUSAL_MESSAGE, mayBeCrossSiteForgery } from '../csrf';
import { closeScopeWith, httpRefusal, type UsageCaps } from '../usage/caps';
import type { createOperations } from './operations';

const HEARTBEAT_MS = 15_000;

const wantsEventStream = (req: Request) => (req.headers.accept ?? '').includes('text/event-stream');

export interface EventStreamHooks {
  /** A request refused before anything ran ('csrf', 'method'), for the refusal metric. */
  onRefused?: (reason: 'csrf' | 'method') => void;
  /** Caps on streams and subscriptions per user (usage/caps.ts). */
  caps?: UsageCaps;
  /** Ends the streams of organizations suspended while they are open. */
  suspended?: SuspendedConnections;
}

/** A refusal before any stream starts: a plain JSON answer with the status Apollo would give. */
function refuse(
  res: Response,
  status: number,
  errors: readonly GraphQLFormattedError[],
  headers: Record<string, string> = {},
) {
  if (status === 405) res.set('allow', 'POST');
  res.set(headers);
  res.status(status).json({ errors });
}

/**
 * Subscriptions over plain HTTP for clients without WebSockets: Server-Sent Events in the
 * graphql-sse "distinct connections" shape, on the same /graphql endpoint. A POST (or GET with
 * `query`/`variables` parameters) with `Accept: text/event-stream` streams `event: next` with each
 * result and ends with `event: complete`. The token is the ordinary Authorization header.
 * Anything else passes on to the HTTP GraphQL handler.
 *
 * The same request rules as Apollo's HTTP: CSRF prevention (a GET or a "simple" POST needs a
 * preflight header, else 400) and a GET runs no mutation (405). A stream ends when its response
 * closes (the client went away), not when the request body has been read.
 */
export function serveEventStreams(
  prepare: ReturnType<typeof createOperations>,
  logger: Logger,
  hooks: EventStreamHooks = {},
): RequestHandler {
  return async (req: Request, res: Response, next) => {
    if (!wantsEventStream(req) || (req.method !== 'POST' && req.method !== 'GET')) return next();
    const request =
      req.method === 'POST'
        ? (req.body as { query?: unknown; variables?: unknown; operationName?: unknown } | undefined)
        : {
            query: req.query.query,
            variables: typeof req.query.variables === 'string' ? safeJson(req.query.variables) : undefined,
            operationName: req.query.operationName,
          };
    if (typeof request?.query !== 'string') return next();
    if (mayBeCrossSiteForgery(req.headers)) {
      hooks.onRefused?.('csrf');
      return refuse(res, 400, [
        { message: CSRF_REFUSAL_MESSAGE, extensions: { code: FrameworkErrorCode.BAD_REQUEST } },
      ]);
    }
    const auth = res.locals.auth as RequestAuth;
    const requestId = req.requestId ?? randomUUID();
    const context: RouterContext = {
      requestId,
      viewer: auth.viewer,
      authorization: auth.authorization,
      clientAddress: req.ip ?? req.socket.remoteAddress ?? null,
      logger: (res.locals.logger as Logger | undefined) ?? logger,
      noteOperationName: () => {},
      usage: hooks.caps?.openStream(),
    };
    if (context.usage) closeScopeWith(res, context.usage);
    const prepared = await prepare(
      {
        query: request.query,
        variables: (request.variables as Record<string, unknown> | undefined) ?? {},
        operationName: typeof request.operationName === 'string' ? request.operationName : null,
      },
      context,
      { readOnly: req.method === 'GET' },
    );
    if (prepared.kind === 'errors' && prepared.status) {
      if (prepared.status === 405) hooks.onRefused?.('method');
      return refuse(res, prepared.status, prepared.errors);
    }
    // Rate limits and caps: 429 with Retry-After before any stream starts, as on HTTP.
    const throttled = prepared.kind === 'errors' ? httpRefusal(prepared.errors) : null;
    if (throttled && prepared.kind === 'errors')
      return refuse(res, throttled.status, prepared.errors, throttled.headers);
    // The client may have gone while the operation was prepared: start nothing for it.
    if (res.closed) return;
    res.status(200).set({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    const write = (text: string) => {
      if (!res.writableEnded && !res.destroyed) res.write(text);
    };
    const send = (event: 'next' | 'complete', data: unknown) =>
      write(`event: ${event}\ndata: ${data === undefined ? '' : JSON.stringify(data)}\n\n`);
    if (prepared.kind === 'errors') {
      send('next', { errors: prepared.errors });
      send('complete', undefined);
      return res.end();
    }
    if (prepared.kind === 'single') {
      send('next', await prepared.run());
      send('complete', undefined);
      return res.end();
    }
    const results = prepared.start();
    const heartbeat = setInterval(() => write(':\n\n'), HEARTBEAT_MS);
    const stop = () => {
      clearInterval(heartbeat);
      void results.return?.();
    };
    // The response's close, not the request's: a POST's request closes once its body is read.
    res.once('close', stop);
    const untrack = hooks.suspended?.track(auth.viewer, (reason) => {
      const refusal =
        reason === 'revoked'
          ? errors.clientApplicationRevoked()
          : reason === 'secretEnded'
            ? errors.clientSecretEnded()
            : errors.organizationSuspended();
      send('next', { errors: [{ message: refusal.message, extensions: refusal.extensions }] });
      stop();
    });
    res.once('close', () => untrack?.());
    try {
      for await (const result of results) send('next', result);
      send('complete', undefined);
    } finally {
      stop();
      res.end();
    }
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
