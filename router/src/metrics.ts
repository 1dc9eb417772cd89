// The router's own metrics, on the process registry served at /metrics. The rate limits and caps
// register theirs next to them (rate-limit.ts, usage/setup.ts).
import { Counter, Gauge, Histogram } from 'prom-client';
import { createMetrics, type Metrics } from '@flow/core';
import type { RequestClient } from './trusted-documents/client';
import type { DocumentOutcome, TrustedDocumentsHooks } from './trusted-documents/middleware';

export interface RouterMetrics extends Metrics {
  /** Bearer-token checks by outcome. */
  authOutcomes: Counter<'outcome'>;
  /** Operations refused before planning, by reason: every transport counts here. */
  refused: Counter<'reason'>;
  subgraphDuration: Histogram<'subgraph' | 'outcome'>;
  /** Counts what the trusted-documents step decided, on HTTP and on the live transports alike. */
  documentHooks: TrustedDocumentsHooks;
  live: {
    resolutions: Counter;
    messages: Counter;
    subscriptions: Gauge;
    documentCacheBytes: Gauge;
    documentCacheEntries: Gauge;
  };
  /** An operation name as a metric label (see boundedLabel). */
  operationLabel: (name: string | null | undefined) => string;
}

export function createRouterMetrics(): RouterMetrics {
  const metrics = createMetrics('router');
  const registers = [metrics.registry];
  const refused = new Counter({
    name: 'flow_router_operations_refused_total',
    help: 'Operations refused before planning, by reason',
    labelNames: ['reason'] as const,
    registers,
  });
  const documentOutcomes = new Counter({
    name: 'flow_router_trusted_documents_total',
    help: 'Documents by client application and outcome (listed, text, unlisted_text, apq, refused)',
    labelNames: ['client', 'outcome'] as const,
    registers,
  });
  return {
    ...metrics,
    authOutcomes: new Counter({
      name: 'flow_router_auth_total',
      help: 'Bearer-token checks by outcome (anonymous, verified, rejected, unavailable)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    refused,
    subgraphDuration: new Histogram({
      name: 'flow_router_subgraph_request_duration_seconds',
      help: 'Duration of the router’s calls to subgraphs',
      labelNames: ['subgraph', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    documentHooks: {
      // Only known applications become label values: a client name is chosen by the caller.
      onOutcome: (client: RequestClient, outcome: DocumentOutcome) =>
        documentOutcomes.inc({ client: client.application?.name ?? 'none', outcome }),
      onRefused: (code: string) => refused.inc({ reason: code.toLowerCase() }),
    },
    live: {
      resolutions: new Counter({
        name: 'flow_router_subscription_resolutions_total',
        help: 'Federated resolutions of live updates (one per update per group of like subscribers)',
        registers,
      }),
      messages: new Counter({
        name: 'flow_router_subscription_messages_total',
        help: 'Subscription results sent to clients',
        registers,
      }),
      subscriptions: new Gauge({
        name: 'flow_router_subscriptions',
        help: 'Live subscriptions',
        registers,
      }),
      documentCacheBytes: new Gauge({
        name: 'flow_router_document_cache_bytes',
        help: "Estimated memory held by the live transports' parsed-document cache (bounded by SUBSCRIPTION_CACHE_MAX_BYTES)",
        registers,
      }),
      documentCacheEntries: new Gauge({
        name: 'flow_router_document_cache_entries',
        help: "Documents in the live transports' parsed-document cache",
        registers,
      }),
    },
    operationLabel: boundedLabel(200),
  };
}

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
