import type {
  IncomingHttpHeaders,
  IncomingMessage,
  RequestListener,
  Server,
  ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { Counter } from 'prom-client';
import express, { type Express, type Request, type Response, type NextFunction } from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { bearerToken, InvalidTokenError, isKeysUnavailable, type TokenVerifier } from '@flow/core';
import {
  DEADLINE_HEADER,
  SERVICE_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyRequestSignature,
  type SignedParts,
} from '@flow/core';
import type { Viewer } from '@flow/core';
import {
  MAX_SUSPENSION_LONG_POLL_MS,
  SUSPENDED_ORGANIZATIONS_PATH,
  SUSPENDED_ORGANIZATIONS_SIGNED_OPERATION,
  type SuspendedOrganizations,
  type SuspendedOrganizationsLoader,
} from '@flow/core';
import { EVENT_INBOX_PATH } from '@flow/messaging';
import { registerEventMetrics } from '@flow/messaging';
import type { EventBus } from '@flow/messaging';
import { ErrorCode, maskError } from '@flow/core';
import { invalidTextPlugin } from '@flow/core';
import { mountHealth, type HealthState, type ReadinessCheck } from '@flow/core';
import { createMetrics, mountMetrics } from '@flow/core';
import { REQUEST_ID_HEADER, requestIdFrom, requestIdMiddleware } from '@flow/core';
import {
  DEFAULT_MAX_REQUEST_DEADLINE_MS,
  requestDeadline,
  stopResolversAfterAbort,
  type RequestDeadline,
} from './http/request-deadline';
import {
  GRAPHQL_BODY_LIMIT_BYTES,
  parseJsonBody,
  plainJsonBodyLength,
  readBodyText,
  type BodyParseError,
} from './http/json-body';
import { requestSignalScope } from './db/cancellable-pool';
import { createHttpServer, type HttpServerPolicy } from '@flow/core';
import type { Logger } from '@flow/core';
import { createEventStreamHandler, EVENT_STREAM_PATH, EVENT_STREAM_SIGNED_OPERATION } from '@flow/live';
import type { PubSub } from '@flow/live';

/** What every subgraph resolver gets; a subgraph extends it with its services and loaders. */
type SignedOperation = Pick<SignedParts, 'query' | 'operationName' | 'variables'>;

/**
 * What the signature of a batched call (a JSON array of operations) covers: every operation in
 * it, in order. The router signs the same (src/datasource.ts in the router).
 */
export const batchSignedOperation = (operations: unknown[]): SignedOperation => ({
  query: '',
  operationName: '#batch',
  variables: { operations },
});

export interface BaseContext {
  requestId: string;
  viewer: Viewer | null;
  /** The verified `Bearer ...` header, to pass on when this subgraph calls another; null if anonymous. */
  authorization: string | null;
  logger: Logger;
  /**
   * The subgraph that made this call as itself (its signature covers the name), e.g. `orders`
   * running a saga step; null for calls through the router and for unsigned development calls.
   */
  callerService: string | null;
  /** The end client's address as the router saw it (for throttling and audit), when known. */
  clientAddress: string | null;
  /**
   * Aborts when the caller's deadline passes or the caller disconnects: nobody reads the answer
   * any more. Resolvers do not start after it (startSubgraphServer wraps them); services check it
   * in loops and pass it to SubgraphClient calls, which forward the deadline.
   */
  signal: AbortSignal;
  /** Epoch ms at which the caller gives up (x-flow-deadline, clamped to this process's maximum). */
  deadline: number;
}

export const CLIENT_ADDRESS_HEADER = 'x-flow-client-address';

export interface SubgraphServerOptions<Context extends BaseContext> {
  name: string;
  schema: GraphQLSchema;
  logger: Logger;
  port: number;
  host?: string;
  /** Production refuses any call that does not carry the router's signature. */
  production: boolean;
  routerSecret: string;
  verifyToken: TokenVerifier;
  /**
   * The suspended organizations (auth/suspensions.ts): their tokens are refused with FORBIDDEN
   * before any resolver runs. Started with the server, stopped with it.
   */
  suspensions?: SuspendedOrganizations;
  /** users only: serves the list on GET /organizations/suspended, to router-signed callers. */
  serveSuspendedOrganizations?: SuspendedOrganizationsLoader;
  buildContext: (base: BaseContext) => Context | Promise<Context>;
  readiness: Record<string, ReadinessCheck>;
  /**
   * Checks reported on /health/ready that do not make the process unready, e.g. a producer's
   * broker: its outbox keeps the events while the broker is away, and it can still serve.
   */
  degradable?: Record<string, ReadinessCheck>;
  /**
   * Extra HTTP routes on other paths (e.g. the JWKS document). A POST to /graphql with a plain JSON
   * body is served straight off node:http and never reaches Express, so nothing mounted here sees it.
   */
  routes?: (app: Express) => void;
  /** Closes the process's own resources (database pools...) after in-flight requests finish. */
  close?: () => Promise<void>;
  /**
   * The process's live-notification channel. An in-process one (`kind: 'memory'`) is streamed on
   * `GET /events` for the router's EventStreamBridge, to callers with the router's signature (like
   * /graphql, unsigned calls are accepted outside production). A Redis one needs no stream. The
   * caller still owns it and closes it (in `close`).
   */
  events?: PubSub;
  /**
   * The process's domain-event bus, when it consumes events: without a broker its inbox is mounted
   * on `POST /events/inbox` for the producers' pushes (they sign them; unsigned pushes are refused
   * even outside production). On RabbitMQ there is nothing to mount. The caller closes the bus.
   */
  eventBus?: EventBus;
  /** Server timeouts and connection cap (SUBGRAPH env HTTP_*); DEFAULT_HTTP_SERVER_POLICY when absent. */
  http?: HttpServerPolicy;
  /** The longest a request may run here, whatever deadline it carries (REQUEST_DEADLINE_MAX_MS). */
  maxDeadlineMs?: number;
}

export interface RunningSubgraph {
  app: Express;
  /** Every request, whichever path serves it, is a 'request' event of this server. */
  httpServer: Server;
  url: string;
  port: number;
  stop: () => Promise<void>;
}

/** In-flight requests get this long to finish at shutdown; then their connections are closed. */
const SHUTDOWN_DRAIN_MS = 5000;

/** Runs one shutdown step for at most `ms`; a step that fails or hangs is logged and left behind. */
async function boundedStep(
  logger: Logger,
  name: string,
  ms: number,
  work: () => Promise<unknown> | undefined,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), ms);
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(work), timedOut]);
    if (outcome === 'timed out') logger.warn({ step: name, ms }, 'shutdown step did not finish in time');
  } catch (error) {
    logger.warn({ err: error, step: name }, 'shutdown step failed');
  } finally {
    clearTimeout(timer);
  }
}

const ROUTER_ONLY = 'This service only accepts requests from the Flow router.';

const refusal = (code: string, message: string) => ({ errors: [{ message, extensions: { code } }] });

function reject(res: Response, status: number, code: string, message: string) {
  res.status(status).json(refusal(code, message));
}

/** As Express's res.json writes it. */
function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

/** A header's value as Express's req.header gives it (repeated headers Node joined already). */
const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

/** Bodies servePlainGraphqlPost read but could not parse, for Express to refuse as before. */
const unparsedBodies = new WeakMap<IncomingMessage, BodyParseError>();

/** Builds and starts the HTTP server of one subgraph: GraphQL, health, metrics, graceful stop. */
export async function startSubgraphServer<Context extends BaseContext>(
  options: SubgraphServerOptions<Context>,
): Promise<RunningSubgraph> {
  const { logger } = options;
  const app = express();
  // Express serves every route but the router's and other subgraphs' calls, which `route` (set
  // below, once Apollo Server has started) takes straight to Apollo Server.
  let route: RequestListener = app;
  const httpServer = createHttpServer((req, res) => route(req, res), options.http, app);
  const state: HealthState = { accepting: true };
  const metrics = createMetrics(options.name);
  registerEventMetrics(metrics.registry);

  app.disable('x-powered-by');
  app.use(requestIdMiddleware);
  mountMetrics(app, metrics);
  mountHealth(app, options.readiness, state, {
    degradable: options.suspensions
      ? { ...options.degradable, suspensions: () => options.suspensions!.health() }
      : options.degradable,
  });
  options.routes?.(app);

  const loggingPlugin: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            const code = error.extensions?.code;
            if (!code || code === ErrorCode.INTERNAL_SERVER_ERROR) {
              contextValue.logger.error(
                { err: error.originalError ?? error, path: error.path },
                'unexpected error',
              );
            }
          }
        },
        async willSendResponse({ operationName, operation, errors, contextValue }) {
          metrics.graphqlOperations.inc({
            operation: operationName ?? 'anonymous',
            type: operation?.operation ?? 'unknown',
            outcome: errors?.length ? 'error' : 'ok',
          });
          contextValue.logger.debug({ operationName }, 'operation done');
        },
      };
    },
  };

  const skippedResolvers = new Counter({
    name: 'flow_subgraph_resolvers_skipped_total',
    help: 'Resolvers not started because their request had passed its deadline or its caller had gone',
    registers: [metrics.registry],
  });
  const apollo = new ApolloServer<Context>({
    schema: stopResolversAfterAbort(options.schema, () => skippedResolvers.inc()),
    logger,
    // onShutdownSignal owns the signals; Apollo's own handler would re-raise and force exit 1.
    stopOnTerminationSignals: false,
    introspection: !options.production,
    includeStacktraceInErrorResponses: !options.production,
    formatError: (formatted) => maskError(formatted, { exposeDetails: !options.production }),
    // The router sends the operations of one plan step as one signed batch (batchSignedOperation).
    allowBatchedHttpRequests: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: SHUTDOWN_DRAIN_MS }),
      // Browsers use the router's explorer; Apollo's landing pages would load code from its CDN.
      ApolloServerPluginLandingPageDisabled(),
      // Apollo's default cache-control plugin hooks every field of every answer (about a tenth of
      // a call's CPU) to compute a Cache-Control header no subgraph sets and the router ignores.
      ApolloServerPluginCacheControlDisabled(),
      loggingPlugin,
      // NUL and unpaired surrogates are BAD_USER_INPUT before any resolver or database sees them.
      invalidTextPlugin<Context>(),
    ],
  });
  await apollo.start();

  const graphqlOperation = (parsedBody: unknown): SignedOperation => {
    if (Array.isArray(parsedBody)) return batchSignedOperation(parsedBody);
    const body = (parsedBody ?? {}) as { query?: unknown; operationName?: unknown; variables?: unknown };
    return {
      query: typeof body.query === 'string' ? body.query : '',
      operationName: typeof body.operationName === 'string' ? body.operationName : null,
      variables:
        body.variables && typeof body.variables === 'object'
          ? (body.variables as Record<string, unknown>)
          : null,
    };
  };

  /** Whether a call may proceed: signed by the router (or a subgraph) over `operation`, or unsigned in development. */
  const signatureAccepted = (
    headers: IncomingHttpHeaders,
    requestId: string,
    operation: SignedOperation,
  ): boolean => {
    const signature = header(headers, SIGNATURE_HEADER);
    if (!signature && !options.production) {
      // An unsigned development call may not claim to be a service.
      delete headers[SERVICE_HEADER];
      return true;
    }
    const check = verifyRequestSignature(options.routerSecret, signature, {
      timestamp: header(headers, TIMESTAMP_HEADER) ?? '',
      requestId,
      authorization: header(headers, 'authorization') ?? '',
      clientAddress: header(headers, CLIENT_ADDRESS_HEADER) ?? '',
      service: header(headers, SERVICE_HEADER) ?? '',
      deadline: header(headers, DEADLINE_HEADER) ?? '',
      ...operation,
    });
    if (check.valid) return true;
    logger.warn({ requestId, reason: check.reason }, 'refused a call without a valid router signature');
    return false;
  };

  const signatureCheck =
    (operation: (req: Request) => SignedOperation) => (req: Request, res: Response, next: NextFunction) => {
      if (signatureAccepted(req.headers, req.requestId, operation(req))) return next();
      reject(res, 401, ErrorCode.UNAUTHENTICATED, ROUTER_ONLY);
    };

  /** The resolvers' context of one request (its token verified, its suspension checked). */
  const contextFor = async (
    headers: IncomingHttpHeaders,
    remoteAddress: string | undefined,
    requestId: string,
    { signal, deadline }: RequestDeadline,
  ): Promise<Context> => {
    const requestLogger = logger.child({ requestId });
    let viewer: Viewer | null = null;
    try {
      const token = bearerToken(header(headers, 'authorization'));
      if (token) viewer = await options.verifyToken(token);
    } catch (error) {
      if (isKeysUnavailable(error)) {
        requestLogger.error({ err: error }, 'could not verify an access token: signing keys unavailable');
        throw new GraphQLError('Sign-in cannot be checked right now. Try again shortly.', {
          extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, http: { status: 503 } },
        });
      }
      if (error instanceof InvalidTokenError) {
        requestLogger.info({ reason: error.reason }, 'rejected access token');
        throw new GraphQLError('The access token is invalid or expired.', {
          extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } },
        });
      }
      throw error;
    }
    // A subgraph acting as itself (a saga step or its compensation, signed x-flow-service) was
    // checked where the request entered: a placement admitted before the suspension finishes or
    // is undone cleanly, never left half done by a refusal between its steps.
    if (viewer && suspensions && !header(headers, SERVICE_HEADER)) {
      try {
        suspensions.check(viewer);
      } catch (error) {
        requestLogger.info(
          { organizationId: viewer.organizationId },
          'refused a token of a suspended organization',
        );
        // Apollo answers an error thrown here with its extensions (and this HTTP status).
        if (error instanceof GraphQLError)
          error.extensions.http = { status: error.extensions.code === ErrorCode.FORBIDDEN ? 403 : 503 };
        throw error;
      }
    }
    const clientAddress = header(headers, CLIENT_ADDRESS_HEADER) ?? remoteAddress ?? null;
    return options.buildContext({
      requestId,
      viewer,
      // Passed on when this subgraph calls another on the viewer's behalf.
      authorization: viewer ? (header(headers, 'authorization') ?? null) : null,
      callerService: header(headers, SERVICE_HEADER) || null,
      logger: requestLogger,
      clientAddress,
      signal,
      deadline,
    });
  };

  const eventStream =
    options.events?.kind === 'memory'
      ? createEventStreamHandler({ events: options.events, logger })
      : undefined;
  if (eventStream) {
    app.get(
      EVENT_STREAM_PATH,
      signatureCheck(() => EVENT_STREAM_SIGNED_OPERATION),
      eventStream.handle,
    );
  }

  const listSuspended = options.serveSuspendedOrganizations;
  if (listSuspended) {
    app.get(
      SUSPENDED_ORGANIZATIONS_PATH,
      signatureCheck(() => SUSPENDED_ORGANIZATIONS_SIGNED_OPERATION),
      (req: Request, res: Response) => {
        // A poll from a caller that has the list of `version` (a long poll): held by the source
        // until the list changes or waitMs (at most MAX_SUSPENSION_LONG_POLL_MS) pass.
        const version = typeof req.query.version === 'string' ? req.query.version : undefined;
        const waitMs = Math.min(Number(req.query.waitMs) || 0, MAX_SUSPENSION_LONG_POLL_MS);
        // A caller that goes away (a process stopping or dying) frees its place among the held.
        const gone = new AbortController();
        res.on('close', () => gone.abort());
        listSuspended(version && waitMs > 0 ? { version, waitMs } : undefined, gone.signal).then(
          (list) =>
            res
              .set('cache-control', 'no-store')
              .json(
                'organizationIds' in list ? list : { organizationIds: list, revokedClientApplicationIds: [] },
              ),
          (error: unknown) => {
            logger.error({ err: error, requestId: req.requestId }, 'could not list suspended organizations');
            reject(res, 503, ErrorCode.SERVICE_UNAVAILABLE, 'The suspension list is unavailable right now.');
          },
        );
      },
    );
  }
  const suspensions = options.suspensions?.start();

  const inbox = options.eventBus?.inbox;
  if (inbox) app.post(EVENT_INBOX_PATH, ...inbox.handlers);

  const maxDeadlineMs = options.maxDeadlineMs ?? DEFAULT_MAX_REQUEST_DEADLINE_MS;
  // Every call but the common one (servePlainGraphqlPost below): GET, other content types or
  // encodings, chunked or empty or oversized bodies, a body that did not parse.
  app.use(
    '/graphql',
    express.json({ limit: GRAPHQL_BODY_LIMIT_BYTES }),
    // A body servePlainGraphqlPost read but could not parse: refused as express.json refuses it.
    (req: Request, _res: Response, next: NextFunction) => next(unparsedBodies.get(req)),
    (req: Request, res: Response, next: NextFunction) => {
      if (signatureAccepted(req.headers, req.requestId, graphqlOperation(req.body))) return next();
      reject(res, 401, ErrorCode.UNAUTHENTICATED, ROUTER_ONLY);
    },
    // The request's deadline and signal, set before execution so its database work sees the signal.
    (req: Request, res: Response, next: NextFunction) => {
      const deadline = requestDeadline(req, res, maxDeadlineMs);
      res.locals.deadline = deadline;
      requestSignalScope.run(deadline.signal, next);
    },
    expressMiddleware(apollo, {
      context: ({ req, res }) =>
        contextFor(
          req.headers,
          req.socket.remoteAddress,
          req.requestId,
          res.locals.deadline as RequestDeadline,
        ),
    }),
  );

  /**
   * POST /graphql with a plain JSON body: every call of the router and of other subgraphs. Served
   * straight off node:http into Apollo Server (executeHTTPGraphQLRequest), with what the Express
   * chain above does for it (request id, metrics, body limit, signature, deadline, context), at
   * about half its CPU per call (README "Performance -> Subgraph calls").
   */
  const servePlainGraphqlPost = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const text = await readBodyText(req);
    if (text === null) return; // the caller went away before sending its whole body
    const parsed = parseJsonBody(text);
    if ('error' in parsed) {
      unparsedBodies.set(req, parsed.error);
      return app(req, res);
    }
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    res.once('finish', () =>
      metrics.httpDuration.observe(
        { method: 'POST', route: '/graphql', status: String(res.statusCode) },
        (performance.now() - started) / 1000,
      ),
    );
    const { body } = parsed;
    if (!signatureAccepted(req.headers, requestId, graphqlOperation(body))) {
      return sendJson(res, 401, refusal(ErrorCode.UNAUTHENTICATED, ROUTER_ONLY));
    }
    const deadline = requestDeadline(req, res, maxDeadlineMs);
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const answer = await requestSignalScope.run(deadline.signal, () =>
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: 'POST', headers, search: query < 0 ? '' : url.slice(query), body },
        context: () => contextFor(req.headers, req.socket.remoteAddress, requestId, deadline),
      }),
    );
    for (const [key, value] of answer.headers) res.setHeader(key, value);
    res.statusCode = answer.status ?? 200;
    if (answer.body.kind === 'complete') {
      res.end(answer.body.string);
      return;
    }
    for await (const chunk of answer.body.asyncIterator) res.write(chunk);
    res.end();
  };

  route = (req, res) => {
    const url = req.url;
    const plain =
      req.method === 'POST' &&
      (url === '/graphql' || url?.startsWith('/graphql?')) &&
      plainJsonBodyLength(req, GRAPHQL_BODY_LIMIT_BYTES) !== null;
    if (!plain) return void app(req, res);
    servePlainGraphqlPost(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'could not answer a call');
      if (res.headersSent) return void res.destroy();
      sendJson(res, 500, refusal(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error.'));
    });
  };

  // A process (re)started while an organization is suspended refuses it from its first request:
  // never fails the start (at most 2 s), the check's fail mode covers a list still unloaded.
  if (suspensions && !(await suspensions.ready(2000)))
    logger.warn('suspension list not loaded yet at start (see README "Security")');
  await new Promise<void>((resolve) => httpServer.listen(options.port, options.host ?? '127.0.0.1', resolve));
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}/graphql`;
  logger.info({ url }, `${options.name} subgraph ready`);

  // Each step of the stop is bounded: a database or broker that hangs (a pool waiting for a query
  // that never returns, an AMQP close never acknowledged) must not keep the process past its
  // shutdown deadline (onShutdownSignal), so it still exits by itself, with its logs flushed.
  const step = (name: string, ms: number, work: () => Promise<unknown> | undefined) =>
    boundedStep(logger, name, ms, work);
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      state.accepting = false;
      suspensions?.stop();
      // Pushes now get 503 and are pushed again later, rather than landing while resources close.
      inbox?.close();
      // Event streams never end by themselves: end them first, or draining would wait for them.
      await step('event streams', 1000, () => eventStream?.close());
      await step('in-flight requests', SHUTDOWN_DRAIN_MS + 1000, () => apollo.stop());
      await step('database and broker', 2500, () => options.close?.());
    })();
    return stopped;
  };
  return { app, httpServer, url, port, stop };
}
