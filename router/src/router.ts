// The router: one public HTTP endpoint in front of the subgraphs.
//
//   request id -> access log -> metrics -> health -> JWKS -> CORS -> bearer token (401 here)
//   -> JSON body (size limit) -> trusted documents (an id to its listed operation, the client's
//   mode; trusted-documents/) -> SSE, or the operation budget on the raw text (budget/gate.ts:
//   depth, aliases, selections, spreads, directives, cost; before validation) -> Apollo Server +
//   Gateway (gateway.ts) -> signed calls to the subgraphs.
//
// http.ts serves the routes, gateway.ts plans and executes, live.ts serves subscriptions,
// limits.ts keeps the throttles and caps, metrics.ts counts; this file builds them in order and
// stops them in reverse.
import './no-telemetry';
import './gateway-modules';
import './apollo-server-modules';
import './request-memos';
import { readFileSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import express, { type Express } from 'express';
import {
  createHttpServer,
  disableTelemetry,
  subgraphSuspendedOrganizations,
  type HealthState,
  type Logger,
} from '@flow/core';
import { authenticate, createRemoteTokenVerifier } from './auth/authenticate';
import { SuspendedConnections } from './auth/suspended-connections';
import type { RouterConfig, SubgraphTarget } from './env';
import { createGateway, gatewayMiddleware } from './gateway';
import { listen, mountRoutes } from './http';
import { startLive } from './live';
import { createLimits } from './limits';
import { createRouterMetrics } from './metrics';
import { prepareSupergraph, type PreparedSupergraph } from './supergraph';
import type { ClientPolicy } from './trusted-documents/client';
import { trustedDocuments } from './trusted-documents/middleware';
import { loadTrustedDocuments } from './trusted-documents/registry';
import type { TrustProxy } from './usage/client-address';

export interface RunningRouter {
  app: Express;
  /** The GraphQL endpoint, e.g. http://127.0.0.1:8000/graphql. */
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish (up to SHUTDOWN_GRACE_MS), closes sockets. */
  stop: () => Promise<void>;
}

export async function startRouter(config: RouterConfig, logger: Logger): Promise<RunningRouter> {
  disableTelemetry(); // before the gateway is constructed, whatever the caller did
  const supergraph = prepareSupergraph(readFileSync(config.supergraphPath, 'utf8'));
  const served = servedSubgraphs(config, supergraph);
  // Only Flow's subgraphs serve /health/ready and live-update streams.
  const flowServed = served.filter((s) => !s.foreign);
  const metrics = createRouterMetrics();

  // Trusted documents (trusted-documents/): the client applications' manifests, read once.
  const clientPolicy: ClientPolicy = {
    documents: loadTrustedDocuments(config.trustedDocuments.dir),
    defaultMode: config.trustedDocuments.defaultMode,
    production: config.production,
  };
  const limits = createLimits(config, logger, metrics);

  const app = express();
  // Express until the routes are mounted; then mountRoutes' listener (http.ts).
  let serve: RequestListener = app;
  // Half-sent requests are cut off and connections capped (HTTP_*); SSE and WebSockets are not
  // affected: the request timeout covers receiving a request, never a long response.
  const httpServer = createHttpServer((req, res) => serve(req, res), config.http, app);
  const state: HealthState = { accepting: true };
  const gateway = createGateway({
    config,
    logger,
    supergraph,
    urls: new Map(served.map((s) => [s.name, s.url])),
    foreign: new Set(served.filter((s) => s.foreign).map((s) => s.name)),
    metrics,
    httpServer,
    apqCache: limits.apqCache,
    signInThrottle: limits.signInThrottle,
    operationRateLimits: limits.operationRateLimits,
  });
  try {
    await gateway.apollo.start();
    await limits.warmUp();
  } catch (error) {
    await limits.close();
    throw error;
  }

  // Every router instance loads the list itself: nothing to share between them.
  const suspensions = subgraphSuspendedOrganizations(
    {
      production: config.production,
      routerSecret: config.signingSecret,
      dependencyTimeoutMs: Math.min(config.subgraphTimeoutMs, 5000),
      suspensionRefreshMs: config.suspensionRefreshMs,
      subgraphUrls: { users: config.subgraphs.find((s) => s.name === 'users')?.url ?? '' },
    },
    logger,
  ).start();
  const suspended = new SuspendedConnections(suspensions);
  const live = startLive({
    config,
    logger,
    served: flowServed,
    supergraph,
    gateway,
    metrics,
    caps: limits.caps,
    suspended,
    operationRateLimits: limits.operationRateLimits,
  });
  const verifyToken = createRemoteTokenVerifier(config.jwt);
  serve = mountRoutes(app, {
    config,
    logger,
    metrics,
    state,
    served: flowServed,
    degradable: {
      ...limits.degradable,
      // The key predates the name "live": monitoring reads it.
      events: live.check,
      suspensions: () => suspensions.health(),
    },
    signInThrottle: limits.signInThrottle,
    authenticate: authenticate(verifyToken, (outcome) => metrics.authOutcomes.inc({ outcome }), suspensions),
    graphql: [
      // Before SSE and the budget: both then see the listed operation's text.
      trustedDocuments(clientPolicy, metrics.documentHooks),
      live.eventStreams,
      gateway.budgetGate.middleware,
      gatewayMiddleware(gateway.apollo),
    ],
  });

  let address: { port: number; url: string };
  try {
    address = await listen(httpServer, config);
  } catch (error) {
    suspensions.stop();
    await live.close();
    await gateway.apollo.stop();
    gateway.closeSubgraphClients();
    await limits.close();
    throw error;
  }
  live.serveWebSockets({
    httpServer,
    verifyToken,
    trustProxy: app.get('trust proxy fn') as TrustProxy,
    clientPolicy,
    apqCache: limits.apqCache,
  });
  // Subscriptions made right after start already see updates (never fails the start: 2 s at most).
  if (!(await live.ready(2000)))
    logger.warn('not every live-update stream is connected yet: live updates follow once they are');
  if (!(await suspensions.ready(2000)))
    logger.warn(
      config.production
        ? 'suspension list not loaded yet: access tokens are refused (503) until it is'
        : 'suspension list not loaded yet: access tokens are accepted until it is',
    );
  logger.info(
    {
      url: address.url,
      subgraphs: served.map((s) => s.name),
      explorer: config.explorer,
      flowEnv: config.flowEnv,
    },
    'router ready',
  );

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      state.accepting = false;
      suspensions.stop();
      // Sockets first (1001, going away): clients reconnect to another router.
      await live.close();
      await gateway.apollo.stop(); // the drain plugin closes the listener and waits for in-flight requests
      gateway.closeSubgraphClients();
      await limits.close(); // after the drain: in-flight sign-ins still count
    })();
    return stopped;
  };
  return { app, url: address.url, port: address.port, stop };
}

/**
 * The subgraphs the router calls. SUBGRAPH_URLS=catalog: Flow's, at their `<NAME>_URL`, and a
 * supergraph naming any other is refused. SUBGRAPH_URLS=supergraph: every join__graph of the file
 * at its recorded URL (env.ts checked them), as foreign subgraphs.
 */
function servedSubgraphs(config: RouterConfig, supergraph: PreparedSupergraph): SubgraphTarget[] {
  if (config.subgraphUrls === 'supergraph') return supergraph.subgraphs.map((s) => ({ ...s, foreign: true }));
  const configured = new Set(config.subgraphs.map((s) => s.name));
  const unknown = supergraph.subgraphs.filter((s) => !configured.has(s.name)).map((s) => s.name);
  if (unknown.length > 0) {
    throw new Error(
      `the supergraph names subgraphs the router has no URL for: ${unknown.join(', ')} (add them to subgraphCatalog, or set SUBGRAPH_URLS=supergraph to call every subgraph at its join__graph URL)`,
    );
  }
  return config.subgraphs.filter((s) => supergraph.subgraphs.some((g) => g.name === s.name));
}
