// The router's HTTP surface on Express: request id, access log, /metrics, health, JWKS, the OAuth
// token endpoint, the explorer, then /graphql (CORS, bearer token, JSON body, and the handlers the
// caller gives), a 404 for the rest and one error handler.
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, {
  type Express,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import {
  ErrorCode,
  mountHealth,
  mountMetrics,
  OAUTH_TOKEN_PATH,
  requestIdMiddleware,
  FrameworkErrorCode,
  RouterErrorCode,
  type HealthState,
  type KnownErrorCode,
  type Logger,
  type ReadinessCheck,
} from '@flow/core';
import type { RouterConfig, SubgraphTarget } from './env';
import { explorer } from './explorer';
import { graphqlPost, isPlainPost } from './graphql-post';
import { jwksProxy } from './jwks';
import type { RouterMetrics } from './metrics';
import { oauthTokenProxy } from './oauth-token';
import type { SignInThrottle } from './rate-limit';

const GRAPHQL_PATH = '/graphql';

export interface RouterRoutes {
  config: RouterConfig;
  logger: Logger;
  metrics: RouterMetrics;
  state: HealthState;
  /** Each one's /health/ready: the router is ready when all of them are. */
  served: readonly SubgraphTarget[];
  /** Reported by /health/ready without making the router unready. */
  degradable: Record<string, ReadinessCheck>;
  signInThrottle?: SignInThrottle;
  /** Sets `res.locals.auth` from the bearer token (or answers 401). */
  authenticate: RequestHandler;
  /** The rest of /graphql, after the JSON body is read. */
  graphql: RequestHandler[];
}

/**
 * Mounts every route on `app`; returns the server's listener: a plain POST /graphql runs the same
 * handlers, in the same order, without Express's router (graphql-post.ts), the rest goes to `app`.
 */
export function mountRoutes(app: Express, routes: RouterRoutes): RequestListener {
  const { config, logger } = routes;
  const usersUrl = config.subgraphs.find((s) => s.name === 'users')?.url ?? '';
  app.disable('x-powered-by');
  // Express would hash every answer for an ETag (a GraphQL answer is never revalidated; the
  // explorer's assets are immutable, its page small).
  app.set('etag', false);
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  // Every request, in this order, whatever its path (the rest are routes of their own).
  const application: RequestHandler[] = [requestIdMiddleware, accessLog(logger)];
  app.use(...application);
  application.push(mountMetrics(app, routes.metrics));
  mountHealth(app, subgraphReadiness(routes.served), routes.state, { degradable: routes.degradable });
  app.get('/.well-known/jwks.json', jwksProxy(config.jwt.jwksUrl, logger.child({ component: 'jwks' })));
  app.post(
    OAUTH_TOKEN_PATH,
    ...oauthTokenProxy({
      usersUrl,
      secret: config.signingSecret,
      timeoutMs: Math.min(config.subgraphTimeoutMs, 10_000),
      signInThrottle: routes.signInThrottle,
      logger: logger.child({ component: 'oauth' }),
    }),
  );
  if (config.explorer) {
    const page = explorer(logger.child({ component: 'explorer' }));
    app.use(page);
    application.push(page);
  }
  const mounted: RequestHandler[] = [
    cors(config.corsOrigins),
    routes.authenticate,
    express.json({ limit: config.limits.maxBodyBytes }),
    ...routes.graphql,
  ];
  app.use(GRAPHQL_PATH, ...mounted);
  const unmatched: RequestHandler = (_req, res) =>
    sendError(res, 404, ErrorCode.NOT_FOUND, 'Not found. The GraphQL endpoint is /graphql.');
  app.use(unmatched);
  const onError = errorHandler(config, logger);
  app.use(onError);
  const post = graphqlPost({ application, mounted, mountPath: GRAPHQL_PATH, unmatched, onError });
  return (req, res) => (isPlainPost(req, GRAPHQL_PATH) ? post(req, res) : app(req, res));
}

/** Listens on HOST:PORT; the URL to show for the GraphQL endpoint. */
export async function listen(httpServer: Server, config: Pick<RouterConfig, 'port' | 'host'>) {
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  const shownHost =
    config.host === '0.0.0.0' || config.host === '::'
      ? '127.0.0.1'
      : config.host.includes(':')
        ? `[${config.host}]`
        : config.host;
  return { port, url: `http://${shownHost}:${port}/graphql` };
}

function subgraphReadiness(served: readonly SubgraphTarget[]): Record<string, ReadinessCheck> {
  return Object.fromEntries(
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
}

const PROBE_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

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

function sendError(res: Response, status: number, code: KnownErrorCode, message: string) {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
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
      return sendError(res, status, FrameworkErrorCode.BAD_REQUEST, message);
    }
    ((res.locals.logger as Logger | undefined) ?? logger).error(
      { err: error, path: req.path },
      'unhandled error',
    );
    sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error.');
  };
}
