// Live updates: subscriptions over SSE and graphql-ws, fed by the live pub/sub. From Redis when
// configured (every router sees every update); otherwise streamed into this process from the
// signed `/events` stream of every subgraph the catalog marks `publishesLive`.
import type { Server } from 'node:http';
import type { RequestHandler } from 'express';
import { createPubSub, LiveStreamBridge } from '@flow/live';
import { subgraphCatalog, type Logger, type ReadinessCheck, type TokenVerifier } from '@flow/core';
import type { SuspendedConnections } from './auth/suspended-connections';
import type { RouterConfig, SubgraphTarget } from './env';
import type { RouterGateway } from './gateway';
import type { RouterMetrics } from './metrics';
import { SubscriptionHub } from './subscriptions/hub';
import { createOperations } from './subscriptions/operations';
import { serveEventStreams } from './subscriptions/sse';
import { serveWebSockets } from './subscriptions/websocket';
import type { PreparedSupergraph } from './supergraph';
import type { ApqCache } from './trusted-documents/apq-cache';
import type { ClientPolicy } from './trusted-documents/client';
import { liveDocuments } from './trusted-documents/live';
import type { TrustProxy } from './usage/client-address';
import type { UsageCaps } from './usage/caps';
import type { OperationRateLimits } from './usage/rate-limits';

/** The live-update streams the router reads without Redis: one per served subgraph that publishes. */
export function liveSources(served: readonly SubgraphTarget[]): string[] {
  const publishing = new Set(subgraphCatalog.filter((s) => s.publishesLive).map((s) => s.name));
  return served.filter((s) => publishing.has(s.name)).map((s) => `${new URL(s.url).origin}/events`);
}

export interface LiveOptions {
  config: RouterConfig;
  logger: Logger;
  served: readonly SubgraphTarget[];
  supergraph: PreparedSupergraph;
  gateway: RouterGateway;
  metrics: RouterMetrics;
  caps: UsageCaps;
  suspended: SuspendedConnections;
  operationRateLimits?: OperationRateLimits;
}

export interface Live {
  /** The SSE transport, on the /graphql route before the budget middleware. */
  eventStreams: RequestHandler;
  /** graphql-ws on the router's port, once it listens. */
  serveWebSockets: (options: {
    httpServer: Server;
    verifyToken: TokenVerifier;
    trustProxy: TrustProxy;
    clientPolicy: ClientPolicy;
    apqCache: ApqCache;
  }) => void;
  /** Live updates down: subscriptions stall, queries still work; degraded, not unready. */
  check: ReadinessCheck;
  /** Waits (at most `timeoutMs`) until every live-update stream is connected; whether it is. */
  ready: (timeoutMs: number) => Promise<boolean>;
  /** Closes the sockets (1001, going away), ends the SSE streams, then the pub/sub. */
  close: () => Promise<void>;
}

export function startLive(options: LiveOptions): Live {
  const { config, logger, gateway, metrics } = options;
  const pubsub = createPubSub({
    redisUrl: config.redis?.url,
    // "events:" predates the name "live": every subgraph publishes under it.
    prefix: `${config.redis?.keyPrefix ?? 'flow:'}events:`,
    logger: logger.child({ component: 'pubsub' }),
  });
  const bridge = config.redis
    ? null
    : new LiveStreamBridge({
        sources: liveSources(options.served),
        secret: config.signingSecret,
        target: pubsub,
        logger: logger.child({ component: 'live-stream' }),
      });
  const hub = new SubscriptionHub(
    pubsub,
    gateway.execute,
    {
      resolutions: () => metrics.live.resolutions.inc(),
      delivered: (count) => metrics.live.messages.inc(count),
      subscribers: (delta) => metrics.live.subscriptions.inc(delta),
    },
    logger.child({ component: 'subscriptions' }),
  );
  const { operationRateLimits, caps, suspended } = options;
  const prepareValidated = createOperations({
    schema: gateway.schema,
    hub,
    execute: gateway.execute,
    admit: gateway.budgetGate.admit,
    requirements: options.supergraph.requirements,
    formatError: gateway.formatError,
    maxTokens: config.limits.maxTokens,
    hideSuggestions: config.production,
    cacheMaxBytes: config.subscriptionCacheMaxBytes,
    onCacheChange: (bytes, entries) => {
      metrics.live.documentCacheBytes.set(bytes);
      metrics.live.documentCacheEntries.set(entries);
    },
    charge: operationRateLimits ? (context) => operationRateLimits.charge(context) : undefined,
  });
  // The budget on the raw text first, as the HTTP middleware does.
  const prepareOperation: typeof prepareValidated = async (request, context, prepareOptions) => {
    const refusal = gateway.budgetGate.refuseText(request);
    if (refusal) return { kind: 'errors', errors: [gateway.formatError(refusal)], status: 400 };
    return prepareValidated(request, context, prepareOptions);
  };

  let webSockets: ReturnType<typeof serveWebSockets> | undefined;
  return {
    eventStreams: serveEventStreams(prepareOperation, logger.child({ component: 'sse' }), {
      onRefused: (reason) => metrics.refused.inc({ reason }),
      caps,
      suspended,
    }),
    serveWebSockets: ({ httpServer, verifyToken, trustProxy, clientPolicy, apqCache }) => {
      webSockets = serveWebSockets({
        httpServer,
        path: '/graphql',
        schema: gateway.schema,
        verifyToken,
        prepare: prepareOperation,
        connectionInitTimeoutMs: config.wsConnectionInitTimeoutMs,
        maxPayloadBytes: config.limits.maxBodyBytes,
        onOversizedMessage: () => metrics.refused.inc({ reason: 'payload_too_large' }),
        logger: logger.child({ component: 'websocket' }),
        caps,
        trustProxy,
        suspended,
        documents: liveDocuments(clientPolicy, apqCache, metrics.documentHooks),
      });
    },
    check: () => (bridge ? bridge.check() : pubsub.check()),
    ready: async (timeoutMs) => (bridge ? bridge.ready(timeoutMs) : true),
    close: async () => {
      await webSockets?.close();
      await hub.close(); // ends the SSE streams too
      await bridge?.close();
      await pubsub.close();
    },
  };
}
