import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '@flow/platform';
import type { RequestAuth } from '../auth/authenticate';
import type { RouterContext } from '../context';
import { closeScopeWith, httpRefusal, type UsageCaps } from '../usage/caps';
import type { createOperations } from './operations';

const HEARTBEAT_MS = 15_000;

const wantsEventStream = (req: Request) => (req.headers.accept ?? '').includes('text/event-stream');

/**
 * Subscriptions over plain HTTP for clients without WebSockets: Server-Sent Events in the
 * graphql-sse "distinct connections" shape, on the same /graphql endpoint. A POST (or GET with
 * `query`/`variables` parameters) with `Accept: text/event-stream` streams `event: next` with each
 * result and ends with `event: complete`. The token is the ordinary Authorization header.
 * Anything else passes on to the HTTP GraphQL handler.
 */
export function serveEventStreams(
  prepare: ReturnType<typeof createOperations>,
  logger: Logger,
  caps?: UsageCaps,
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
    const auth = res.locals.auth as RequestAuth;
    const requestId = req.requestId ?? randomUUID();
    const context: RouterContext = {
      requestId,
      viewer: auth.viewer,
      authorization: auth.authorization,
      clientAddress: req.ip ?? req.socket.remoteAddress ?? null,
      logger: (res.locals.logger as Logger | undefined) ?? logger,
      noteOperationName: () => {},
      usage: caps?.openStream(),
    };
    if (context.usage) closeScopeWith(res, context.usage);
    const prepared = await prepare(
      {
        query: request.query,
        variables: (request.variables as Record<string, unknown> | undefined) ?? {},
        operationName: typeof request.operationName === 'string' ? request.operationName : null,
      },
      context,
    );
    const refusal = prepared.kind === 'errors' ? httpRefusal(prepared.errors) : null;
    if (refusal && prepared.kind === 'errors') {
      res.status(refusal.status).set(refusal.headers);
      return res.json({ errors: prepared.errors.map((e) => e.toJSON()) });
    }
    res.status(200).set({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    const send = (event: 'next' | 'complete', data: unknown) =>
      res.write(`event: ${event}\ndata: ${data === undefined ? '' : JSON.stringify(data)}\n\n`);
    if (prepared.kind === 'errors') {
      send('next', { errors: prepared.errors.map((e) => e.toJSON()) });
      send('complete', undefined);
      return res.end();
    }
    if (prepared.kind === 'single') {
      send('next', await prepared.run());
      send('complete', undefined);
      return res.end();
    }
    const results = prepared.start();
    const heartbeat = setInterval(() => res.write(':\n\n'), HEARTBEAT_MS);
    const stop = () => {
      clearInterval(heartbeat);
      void results.return?.();
    };
    req.on('close', stop);
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
