// The router: one public HTTP endpoint in front of the subgraphs.
//
//   request id -> access log -> metrics -> health -> JWKS -> CORS -> bearer token (401 here)
//   -> JSON body (size limit) -> trusted documents (an id to its listed operation, the client's
//   mode; trusted-documents/) -> SSE, or the operation budget on the raw text (budget/gate.ts:
//   depth, aliases, selections, spreads, directives, cost; before validation) -> Apollo Server +
//   Gateway: parse (token limit), validate, the budget again on the operation to plan (and its
//   cost estimate), declarative auth (@authenticated, @requiresScopes), sign-in throttle per
//   client address, rate limits (the operation's cost as points per user, organization and
//   address; usage/), plan, signed calls to the subgraphs.
import './no-telemetry';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, {
  type Express,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import type { GraphQLError, GraphQLSchema } from 'graphql';
import { Counter, Gauge, Histogram } from 'prom-client';
import {
  createHttpServer,
  createMetrics,
  createPubSub,
  createRateLimiter,
  EventStreamBridge,
  findInvalidText,
  invalidTextError,
  disableTelemetry,
  ErrorCode,
  mountHealth,
  mountMetrics,
  requestIdMiddleware,
  OAUTH_TOKEN_PATH,
  subgraphSuspendedOrganizations,
  type HealthState,
  type Logger,
  type RateLimiter,
  type ReadinessCheck,
} from '@flow/platform';
import { authenticate, createRemoteTokenVerifier, type RequestAuth } from './auth/authenticate';
import { SuspendedConnections } from './auth/suspended-connections';
import { authorizationError, findViolations } from './auth/declarative';
import type { RouterContext } from './context';
import { operationNotFoundError, requestMistake, subscriptionNeedsStreamError } from './client-mistakes';
import { CSRF_PREVENTION_HEADERS } from './csrf';
import { SignedDataSource } from './datasource';
import type { RouterConfig } from './env';
import { formatRouterError, isUnexpected, RouterErrorCode } from './errors';
import { explorer } from './explorer';
import { jwksProxy } from './jwks';
import { oauthTokenProxy } from './oauth-token';
import type { Admission } from './budget';
import { createBudgetGate } from './budget/gate';
import { createSignInThrottle, type SignInThrottle } from './rate-limit';
import { prepareSupergraph } from './supergraph';
import { SubscriptionHub, type Executor } from './subscriptions/hub';
import { createOperations } from './subscriptions/operations';
import { serveEventStreams } from './subscriptions/sse';
import type { TrustProxy } from './usage/client-address';
import { usageLimits } from './usage/setup';
import { serveWebSockets } from './subscriptions/websocket';
import { memoryApqCache, redisApqCache } from './trusted-documents/apq-cache';
import type { ClientPolicy, RequestClient } from './trusted-documents/client';
import { liveDocuments } from './trusted-documents/live';
import { trustedDocuments, type DocumentOutcome } from './trusted-documents/middleware';
import { loadTrustedDocuments } from './trusted-documents/registry';

/** The subgraphs that publish live events (they own Subscription fields). */
const EVENT_SOURCES = ['orders', 'inventory', 'notifications'];

export interface RunningRouter {
  app: Express;
  /** The GraphQL endpoint, e.g. http://127.0.0.1:8000/graphql. */
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish (up to SHUTDOWN_GRACE_MS), closes sockets. */
  stop: () => Promise<void>;
}

const PROBE_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * Operation names are chosen by clients: as metric labels they must stay a bounded set, or random
 * names would grow the registry without limit.
 */
function boundedLabel(limit: number): (value: string | null | undefined) => string {
  const known = new Set<string>();
  return (value) => {
    if (!value) return 'anonymous';
    if (known.has(value)) return value;
    if (known.size >= limit || value.length > 64) return 'other';
    known.add(value);
    return value;
  };
}

function sendError(res: Response, status: number, code: string, message: string) {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** Every line logged while serving a request carries its request id; one line per request at the end. */
function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const requestLogger = logger.child({ requestId: req.requestId });
    res.locals.logger = requestLogger;
    res.on('finish', () => {
      const path = req.originalUrl.split('?')[0] ?? '';
      const entry = {
        method: req.method,
        path,
        status: res.statusCode,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        operationName: res.locals.operationName as string | undefined,
      };
      if (PROBE_PATHS.has(path)) requestLogger.debug(entry, 'request completed');
      else requestLogger.info(entry, 'request completed');
    });
    next();
  };
}

function cors(origins: string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.header('origin');
    if (!origin || !allowed.has(origin)) return next();
    res.vary('Origin');
    res.set('access-control-allow-origin', origin);
    res.set('access-control-expose-headers', 'x-request-id');
    if (req.method !== 'OPTIONS') return next();
    res.set('access-control-allow-methods', 'GET, POST, OPTIONS');
    res.set(
      'access-control-allow-headers',
      'authorization, content-type, x-request-id, apollo-require-preflight, x-apollo-operation-name',
    );
    res.set('access-control-max-age', '600');
    res.status(204).end();
  };
}

function errorHandler(config: RouterConfig, logger: Logger) {
  return (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const type = (error as { type?: unknown }).type;
    const status = (error as { status?: unknown }).status;
    if (type === 'entity.too.large') {
      return sendError(
        res,
        413,
        RouterErrorCode.PAYLOAD_TOO_LARGE,
        `The request body is larger than ${config.limits.maxBodyBytes} bytes.`,
      );
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message =
        type === 'entity.parse.failed'
          ? 'The request body is not valid JSON.'
          : 'The request could not be read.';
      return sendError(res, status, 'BAD_REQUEST', message);
    }
    ((res.locals.logger as Logger | undefined) ?? logger).error(
      { err: error, path: req.path },
      'unhandled error',
    );
    sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error.');
  };
}

export async function startRouter(config: RouterConfig, logger: Logger): Promise<RunningRouter> {
  disableTelemetry(); // before the gateway is constructed, whatever the caller did
  const production = config.production;

  const supergraph = prepareSupergraph(readFileSync(config.supergraphPath, 'utf8'));
  const urls = new Map(config.subgraphs.map((s) => [s.name, s.url]));
  const unknown = supergraph.subgraphs.filter((s) => !urls.has(s.name)).map((s) => s.name);
  if (unknown.length > 0) {
    throw new Error(
      `the supergraph names subgraphs the router has no URL for: ${unknown.join(', ')} (add them to subgraphCatalog)`,
    );
  }
  const served = config.subgraphs.filter((s) => supergraph.subgraphs.some((g) => g.name === s.name));

  const metrics = createMetrics('router');
  const authOutcomes = new Counter({
    name: 'flow_router_auth_total',
    help: 'Bearer-token checks by outcome (anonymous, verified, rejected, unavailable)',
    labelNames: ['outcome'] as const,
    registers: [metrics.registry],
  });
  const refused = new Counter({
    name: 'flow_router_operations_refused_total',
    help: 'Operations refused before planning, by reason',
    labelNames: ['reason'] as const,
    registers: [metrics.registry],
  });
  const subgraphDuration = new Histogram({
    name: 'flow_router_subgraph_request_duration_seconds',
    help: 'Duration of the router’s calls to subgraphs',
    labelNames: ['subgraph', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [metrics.registry],
  });

  const operationLabel = boundedLabel(200);

  // Trusted documents (trusted-documents/): the client applications' manifests, read once.
  const clientPolicy: ClientPolicy = {
    documents: loadTrustedDocuments(config.trustedDocuments.dir),
    defaultMode: config.trustedDocuments.defaultMode,
    production,
  };
  const documentOutcomes = new Counter({
    name: 'flow_router_trusted_documents_total',
    help: 'Documents by client application and outcome (listed, text, unlisted_text, apq, refused)',
    labelNames: ['client', 'outcome'] as const,
    registers: [metrics.registry],
  });
  const documentHooks = {
    // Only known applications become label values: a client name is chosen by the caller.
    onOutcome: (client: RequestClient, outcome: DocumentOutcome) =>
      documentOutcomes.inc({ client: client.application?.name ?? 'none', outcome }),
    onRefused: (code: string) => refused.inc({ reason: code.toLowerCase() }),
  };
  // Automatic persisted queries: shared by the routers in Redis, else in this process; bounded.
  const apqCache = config.redis
    ? redisApqCache(config.apq, config.redis, logger.child({ component: 'apq' }))
    : memoryApqCache(config.apq);

  // Sign-in throttle. With Redis its counters are shared by every router; while Redis is
  // unreachable each router counts on its own (RedisRateLimiter falls back), so sign-in keeps
  // working. A Redis outage therefore does not make the router unready: /health/ready reports it
  // as "degraded", and it shows in flow_router_rate_limit_redis_up and in warnings.
  let limiter: RateLimiter | undefined;
  let signInThrottle: SignInThrottle | undefined;
  if (config.signInRateLimitPerMinute > 0) {
    const fallbacks = config.redis
      ? new Counter({
          name: 'flow_router_rate_limit_fallback_total',
          help: 'Sign-in throttle decisions made in process because Redis could not answer, by reason',
          labelNames: ['reason'] as const,
          registers: [metrics.registry],
        })
      : undefined;
    const rateLimiter = createRateLimiter({
      redisUrl: config.redis?.url,
      keyPrefix: config.redis ? `${config.redis.keyPrefix}rate-limit:` : undefined,
      connectionName: `flow-router:${process.pid}`,
      logger: logger.child({ component: 'rate-limit' }),
      onFallback: (reason) => fallbacks?.inc({ reason }),
    });
    limiter = rateLimiter;
    if (config.redis) {
      new Gauge({
        name: 'flow_router_rate_limit_redis_up',
        help: '1 while the sign-in throttle reaches Redis, 0 while it counts in process',
        registers: [metrics.registry],
        collect() {
          this.set(rateLimiter.connected ? 1 : 0);
        },
      });
    }
    signInThrottle = createSignInThrottle({
      limiter: rateLimiter,
      limitPerMinute: config.signInRateLimitPerMinute,
      onRefused: () => refused.inc({ reason: 'rate_limited' }),
    });
  }

  const { pointsLimiter, operationRateLimits, caps } = usageLimits(config, logger, metrics.registry, refused);

  const app = express();
  // Half-sent requests are cut off and connections capped (HTTP_*); SSE and WebSockets are not
  // affected: the request timeout covers receiving a request, never a long response.
  const httpServer = createHttpServer(app, config.http);
  const state: HealthState = { accepting: true };

  let apiSchema: GraphQLSchema | null = null;
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph.gatewaySdl,
    logger: logger.child({ component: 'gateway' }),
    __exposeQueryPlanExperimental: !production,
    buildService: ({ name }) =>
      new SignedDataSource({
        name,
        url: urls.get(name) ?? '',
        secret: config.signingSecret,
        logger: logger.child({ component: 'subgraph-client', subgraph: name }),
        timeoutMs: config.subgraphTimeoutMs,
        placeOrderTimeoutMs: config.placeOrderTimeoutMs,
        duration: subgraphDuration,
      }),
  });

  gateway.onSchemaLoadOrUpdate(({ apiSchema: loaded }) => {
    apiSchema = loaded;
  });

  // The one admission path of every transport (budget/gate.ts): on the raw text before
  // validation, and on the validated document before planning.
  const budgetGate = createBudgetGate({
    budget: config.limits,
    maxTokens: config.limits.maxTokens,
    model: supergraph.costModel,
    schema: () => apiSchema,
    onRefused: (error) => refused.inc({ reason: error.measure }),
    format: (error) => formatRouterError(error.toJSON(), production),
  });

  const routerPlugin: ApolloServerPlugin<RouterContext> = {
    async requestDidStart() {
      let admission: Admission | undefined;
      return {
        async didResolveOperation({ document, operation, operationName, contextValue, schema, request }) {
          if (operationName) contextValue.noteOperationName(operationName);
          // Client mistakes the gateway would otherwise answer with a 500 (src/client-mistakes.ts).
          // Counted in willSendResponse, with the other client mistakes.
          if (!operation) throw operationNotFoundError(request.operationName);
          // SSE and graphql-ws never reach Apollo with a subscription (they go through the hub).
          if (operation.operation === 'subscription') throw subscriptionNeedsStreamError();
          // The subgraphs refuse it as well; here it costs no plan and no subgraph call.
          const invalidText = findInvalidText(document, operation, request.variables);
          if (invalidText) throw invalidTextError(invalidText, 400);
          admission = budgetGate.admit(
            { document, operation, variables: request.variables, schema },
            contextValue,
          );
          const violations = findViolations({
            schema,
            document,
            operation,
            requirements: supergraph.requirements,
            viewer: contextValue.viewer,
          });
          if (violations.length > 0) {
            refused.inc({ reason: contextValue.viewer ? 'forbidden' : 'unauthenticated' });
            contextValue.logger.info(
              { operationName, fields: violations.slice(0, 10).map((v) => `${v.path} (${v.coordinate})`) },
              'operation refused by declarative auth',
            );
            throw authorizationError(violations, contextValue.viewer);
          }
          await signInThrottle?.check({
            document,
            operation,
            clientAddress: contextValue.clientAddress,
            logger: contextValue.logger,
          });
          await operationRateLimits?.charge(contextValue);
        },
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (!isUnexpected(error.extensions?.code, error)) continue;
            contextValue.logger.error(
              {
                err: error.originalError ?? error,
                path: error.path,
                serviceName: error.extensions?.serviceName,
                code: error.extensions?.code,
              },
              'unexpected error',
            );
          }
        },
        async willSendResponse({ operationName, operation, errors, contextValue, request, response }) {
          // HTTP clients read the estimate here; SSE and WebSocket results get it in operations.ts.
          if (admission && request.http && response.body.kind === 'single') {
            const result = response.body.singleResult;
            result.extensions = { ...result.extensions, cost: admission.cost };
          }
          // A client mistake answered without data gets its 4xx (Apollo says 200 or 500 for some).
          if (response.body.kind === 'single' && response.body.singleResult.data === undefined) {
            const mistake = requestMistake(response.http.status, response.body.singleResult.errors ?? []);
            if (mistake) refused.inc({ reason: mistake.code.toLowerCase() });
            if (mistake?.status) response.http.status = mistake.status;
          }
          metrics.graphqlOperations.inc({
            operation: operationLabel(operationName),
            type: operation?.operation ?? 'unknown',
            outcome: errors?.length ? 'error' : 'ok',
          });
          contextValue.logger.debug({ operationName }, 'operation done');
        },
      };
    },
  };

  const apollo = new ApolloServer<RouterContext>({
    gateway,
    // The explorer's docs and completion read the schema by introspection.
    introspection: !production || config.explorer,
    includeStacktraceInErrorResponses: !production,
    hideSchemaDetailsFromClientErrors: production,
    formatError: (formatted, original) => formatRouterError(formatted, production, original),
    parseOptions: { maxTokens: config.limits.maxTokens },
    allowBatchedHttpRequests: false,
    // Who may register is decided before Apollo (trusted-documents/resolve.ts).
    persistedQueries: { cache: apqCache, ttl: config.apq.ttlSeconds },
    // The same header list as the SSE transport's check (src/csrf.ts): one rule for both.
    csrfPrevention: { requestHeaders: CSRF_PREVENTION_HEADERS },
    // Shutdown belongs to server.ts (onShutdownSignal); Apollo's own handler would re-raise the signal.
    stopOnTerminationSignals: false,
    logger: logger.child({ component: 'apollo' }),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownGraceMs }),
      ApolloServerPluginLandingPageDisabled(), // the explorer is served by src/explorer.ts
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      routerPlugin,
    ],
  });
  try {
    await apollo.start();
    // So that the first sign-ins already count in Redis; never fails the start (at most 2 s).
    if (limiter && config.redis && !(await limiter.ready(2000))) {
      logger.warn('Redis not reachable at start: sign-in attempts are counted in process until it is');
    }
    if (pointsLimiter && config.redis && !(await pointsLimiter.ready(2000))) {
      logger.warn('Redis not reachable at start: rate-limit points are counted in process until it is');
    }
    if (config.redis && !(await apqCache.ready(2000))) {
      logger.warn('Redis not reachable at start: persisted query lookups miss until it is');
    }
  } catch (error) {
    await limiter?.close();
    await pointsLimiter?.close();
    await apqCache.close();
    throw error;
  }

  // Live events: from Redis when configured (every router sees every event); otherwise from the
  // event-owning subgraphs' /events streams into this process.
  const pubsub = createPubSub({
    redisUrl: config.redis?.url,
    prefix: `${config.redis?.keyPrefix ?? 'flow:'}events:`,
    logger: logger.child({ component: 'pubsub' }),
  });
  const bridge = config.redis
    ? null
    : new EventStreamBridge({
        sources: served
          .filter((s) => EVENT_SOURCES.includes(s.name))
          .map((s) => `${new URL(s.url).origin}/events`),
        secret: config.signingSecret,
        target: pubsub,
        logger: logger.child({ component: 'event-stream' }),
      });
  const subscriptionResolutions = new Counter({
    name: 'flow_router_subscription_resolutions_total',
    help: 'Federated resolutions of live events (one per event per group of like subscribers)',
    registers: [metrics.registry],
  });
  const subscriptionMessages = new Counter({
    name: 'flow_router_subscription_messages_total',
    help: 'Subscription results sent to clients',
    registers: [metrics.registry],
  });
  const activeSubscriptions = new Gauge({
    name: 'flow_router_subscriptions',
    help: 'Live subscriptions',
    registers: [metrics.registry],
  });
  const documentCacheBytes = new Gauge({
    name: 'flow_router_document_cache_bytes',
    help: "Estimated memory held by the live transports' parsed-document cache (bounded by SUBSCRIPTION_CACHE_MAX_BYTES)",
    registers: [metrics.registry],
  });
  const documentCacheEntries = new Gauge({
    name: 'flow_router_document_cache_entries',
    help: "Documents in the live transports' parsed-document cache",
    registers: [metrics.registry],
  });
  const executeThroughGateway: Executor = async (query, variables, context, operationName) => {
    const response = await apollo.executeOperation(
      { query, variables, operationName: operationName ?? undefined },
      { contextValue: context },
    );
    if (response.body.kind !== 'single') throw new Error('incremental delivery is not supported here');
    return response.body.singleResult;
  };
  const hub = new SubscriptionHub(
    pubsub,
    executeThroughGateway,
    {
      resolutions: () => subscriptionResolutions.inc(),
      delivered: (count) => subscriptionMessages.inc(count),
      subscribers: (delta) => activeSubscriptions.inc(delta),
    },
    logger.child({ component: 'subscriptions' }),
  );

  const schemaNow = () => {
    if (!apiSchema) throw new Error('the gateway has not loaded its schema');
    return apiSchema;
  };
  /** As Apollo does on HTTP: `extensions.http` sets the status there and never reaches a client. */
  const formatLiveError = (error: GraphQLError) => {
    const { http: _http, ...extensions } = error.extensions;
    return formatRouterError({ ...error.toJSON(), extensions }, production, error);
  };
  const prepareValidated = createOperations({
    schema: schemaNow,
    hub,
    execute: executeThroughGateway,
    admit: budgetGate.admit,
    requirements: supergraph.requirements,
    formatError: formatLiveError,
    maxTokens: config.limits.maxTokens,
    hideSuggestions: production,
    cacheMaxBytes: config.subscriptionCacheMaxBytes,
    onCacheChange: (bytes, entries) => {
      documentCacheBytes.set(bytes);
      documentCacheEntries.set(entries);
    },
    charge: operationRateLimits ? (context) => operationRateLimits.charge(context) : undefined,
  });
  /** SSE and WebSocket: the budget on the raw text first, as the HTTP middleware does. */
  const prepareOperation: typeof prepareValidated = async (request, context, prepareOptions) => {
    const refusal = budgetGate.refuseText(request);
    if (refusal) return { kind: 'errors', errors: [formatLiveError(refusal)], status: 400 };
    return prepareValidated(request, context, prepareOptions);
  };

  const readiness: Record<string, ReadinessCheck> = Object.fromEntries(
    served.map(({ name, url }) => [
      name,
      async () => {
        const response = await fetch(`${new URL(url).origin}/health/ready`, {
          signal: AbortSignal.timeout(1500),
          redirect: 'error',
        });
        await response.body?.cancel();
        if (response.status !== 200) throw new Error(`${name} is not ready (HTTP ${response.status})`);
      },
    ]),
  );

  const verifyToken = createRemoteTokenVerifier(config.jwt);
  // Every router instance loads the list itself: nothing to share between them.
  const suspensions = subgraphSuspendedOrganizations(
    {
      production,
      routerSecret: config.signingSecret,
      dependencyTimeoutMs: Math.min(config.subgraphTimeoutMs, 5000),
      suspensionRefreshMs: config.suspensionRefreshMs,
      subgraphUrls: { users: urls.get('users') ?? '' },
    },
    logger,
  ).start();
  const suspended = new SuspendedConnections(suspensions);

  app.disable('x-powered-by');
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  app.use(requestIdMiddleware);
  app.use(accessLog(logger));
  mountMetrics(app, metrics);
  const degradable: Record<string, ReadinessCheck> =
    limiter && config.redis
      ? {
          redis: async () => {
            if (!(await limiter.ready(500)))
              throw new Error('unreachable: sign-in attempts are counted in process');
          },
        }
      : {};
  // Live events down: subscriptions stall, queries still work; degraded, not unready.
  const withEvents: Record<string, ReadinessCheck> = {
    ...degradable,
    events: () => (bridge ? bridge.check() : pubsub.check()),
    suspensions: () => suspensions.health(),
  };
  mountHealth(app, readiness, state, { degradable: withEvents });
  app.get('/.well-known/jwks.json', jwksProxy(config.jwt.jwksUrl, logger.child({ component: 'jwks' })));
  app.post(
    OAUTH_TOKEN_PATH,
    ...oauthTokenProxy({
      usersUrl: urls.get('users') ?? '',
      secret: config.signingSecret,
      timeoutMs: Math.min(config.subgraphTimeoutMs, 10_000),
      signInThrottle,
      logger: logger.child({ component: 'oauth' }),
    }),
  );
  if (config.explorer) app.use(explorer(logger.child({ component: 'explorer' })));
  app.use(
    '/graphql',
    cors(config.corsOrigins),
    authenticate(verifyToken, (outcome) => authOutcomes.inc({ outcome }), suspensions),
    express.json({ limit: config.limits.maxBodyBytes }),
    // Before SSE and the budget: both then see the listed operation's text.
    trustedDocuments(clientPolicy, documentHooks),
    serveEventStreams(prepareOperation, logger.child({ component: 'sse' }), {
      onRefused: (reason) => refused.inc({ reason }),
      caps,
      suspended,
    }),
    budgetGate.middleware,
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<RouterContext> => {
        const auth = res.locals.auth as RequestAuth;
        return {
          requestId: req.requestId,
          viewer: auth.viewer,
          authorization: auth.authorization,
          clientAddress: req.ip ?? req.socket.remoteAddress ?? null,
          logger: res.locals.logger as Logger,
          noteOperationName: (name) => {
            res.locals.operationName = name;
          },
        };
      },
    }),
  );
  app.use((_req: Request, res: Response) =>
    sendError(res, 404, ErrorCode.NOT_FOUND, 'Not found. The GraphQL endpoint is /graphql.'),
  );
  app.use(errorHandler(config, logger));

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    suspensions.stop();
    await apollo.stop();
    await limiter?.close();
    await pointsLimiter?.close();
    await apqCache.close();
    throw error;
  }
  const webSockets = serveWebSockets({
    httpServer,
    path: '/graphql',
    schema: schemaNow,
    verifyToken,
    prepare: prepareOperation,
    connectionInitTimeoutMs: config.wsConnectionInitTimeoutMs,
    maxPayloadBytes: config.limits.maxBodyBytes,
    onOversizedMessage: () => refused.inc({ reason: 'payload_too_large' }),
    logger: logger.child({ component: 'websocket' }),
    caps,
    trustProxy: app.get('trust proxy fn') as TrustProxy,
    suspended,
    documents: liveDocuments(clientPolicy, apqCache, documentHooks),
  });
  // Subscriptions made right after start already see events (never fails the start: 2 s at most).
  if (bridge && !(await bridge.ready(2000)))
    logger.warn('not every event stream is connected yet: live updates follow once they are');
  if (!(await suspensions.ready(2000)))
    logger.warn(
      production
        ? 'suspension list not loaded yet: access tokens are refused (503) until it is'
        : 'suspension list not loaded yet: access tokens are accepted until it is',
    );
  const port = (httpServer.address() as AddressInfo).port;
  const shownHost =
    config.host === '0.0.0.0' || config.host === '::'
      ? '127.0.0.1'
      : config.host.includes(':')
        ? `[${config.host}]`
        : config.host;
  const url = `http://${shownHost}:${port}/graphql`;
  logger.info(
    { url, subgraphs: served.map((s) => s.name), explorer: config.explorer, flowEnv: config.flowEnv },
    'router ready',
  );

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      state.accepting = false;
      suspensions.stop();
      // Sockets first (1001, going away): clients reconnect to another router.
      await webSockets.close();
      await hub.close(); // ends the SSE streams too
      await bridge?.close();
      await pubsub.close();
      await apollo.stop(); // the drain plugin closes the listener and waits for in-flight requests
      await limiter?.close(); // after the drain: in-flight sign-ins still count
      await pointsLimiter?.close();
      await apqCache.close();
    })();
    return stopped;
  };
  return { app, url, port, stop };
}
