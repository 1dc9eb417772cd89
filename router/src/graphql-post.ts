// POST /graphql (no query string: every client's operation) served by the same handlers Express
// would run for it, in the same order, without Express's router: matching each request against
// every route and mount, and the bookkeeping around each step, cost about a twentieth of the
// router's CPU per operation (README "Performance → Router"). Requests and responses already have
// the Express application's prototypes (createHttpServer), so every handler finds the req/res it
// expects. router/test/graphql-post.test.ts runs the same handlers both ways and compares.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';

export interface GraphqlPostChain {
  /** The application-level middlewares (request id, access log, timing, ...), in order. */
  application: RequestHandler[];
  /** The handlers mounted at `mountPath`, in order. */
  mounted: RequestHandler[];
  mountPath: string;
  /** What answers a request no handler answered (the application's 404). */
  unmatched: RequestHandler;
  /** The application's error handler. */
  onError: ErrorRequestHandler;
}

/** Whether Express would give this request to the chain's mount as a plain POST to its path. */
export const isPlainPost = (req: IncomingMessage, mountPath: string) =>
  req.method === 'POST' && req.url === mountPath;

export function graphqlPost(chain: GraphqlPostChain): (req: IncomingMessage, res: ServerResponse) => void {
  const { application, mounted, mountPath, unmatched, onError } = chain;
  const handlers = [...application, ...mounted];
  const mountAt = application.length;

  return (incoming, outgoing) => {
    const req = incoming as Request;
    const res = outgoing as Response;
    // What Express's app.handle and router set before the first handler.
    req.res = res;
    res.req = req;
    res.locals ??= Object.create(null) as Response['locals'];
    req.originalUrl = req.url;
    req.baseUrl = '';
    req.params = {};
    let index = 0;
    let failed = false;
    let unmatchedRan = false;

    const leaveMount = () => {
      req.url = req.originalUrl;
      req.baseUrl = '';
    };
    // Express, when the error handler passes the error on (in the next turn, as its router does):
    // the answer is cut if it has started.
    const last = (error?: unknown) => {
      if (error === undefined) return;
      setImmediate(() => {
        if (res.headersSent) req.socket.destroy();
        else res.status(500).end();
      });
    };
    const fail = (error: unknown) => {
      if (failed) return last(error);
      failed = true;
      leaveMount();
      try {
        onError(error, req, res, last);
      } catch (thrown) {
        last(thrown);
      }
    };
    const next: NextFunction = (error?: unknown) => {
      if (error !== undefined && error !== 'route' && error !== 'router') return fail(error);
      if (failed) return;
      const handler = handlers[index];
      index += 1;
      if (!handler) {
        if (unmatchedRan) return;
        unmatchedRan = true;
        leaveMount();
        return run(unmatched);
      }
      if (index - 1 === mountAt) {
        req.baseUrl = mountPath;
        req.url = '/';
      }
      run(handler);
    };
    const run = (handler: RequestHandler) => {
      try {
        const result = handler(req, res, next) as unknown;
        if (result instanceof Promise)
          result.then(undefined, (error: unknown) => next(error ?? new Error('Rejected promise')));
      } catch (error) {
        next(error);
      }
    };
    req.next = next;
    next();
  };
}
