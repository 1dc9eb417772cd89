import { Counter, Gauge, type Registry } from 'prom-client';

// Module-level like flow_db_statements_total: the relay and consumers count here, and every
// subgraph server's registry exposes them on /metrics.

export const outboxPublished = new Counter({
  name: 'flow_outbox_published_total',
  help: 'Outbox events published (broker confirmed, or every consumer answered)',
  labelNames: ['source'],
  registers: [],
});

export const outboxPublishFailures = new Counter({
  name: 'flow_outbox_publish_failures_total',
  help: 'Outbox batches that could not be published (kept, retried with backoff)',
  labelNames: ['source'],
  registers: [],
});

export const outboxPending = new Gauge({
  name: 'flow_outbox_pending',
  help: 'Unpublished outbox events at the last relay run',
  labelNames: ['source'],
  registers: [],
});

export const outboxLag = new Gauge({
  name: 'flow_outbox_lag_seconds',
  help: 'Age of the oldest unpublished outbox event at the last relay run (0 when none)',
  labelNames: ['source'],
  registers: [],
});

export const eventsConsumed = new Counter({
  name: 'flow_events_consumed_total',
  help: 'Domain events received by a consumer, by outcome (handled, retried, dead_lettered)',
  labelNames: ['consumer', 'outcome'],
  registers: [],
});

export type ConsumeOutcome = 'handled' | 'retried' | 'dead_lettered';

/** Adds the event metrics to a process's registry (startSubgraphServer does it). */
export function registerEventMetrics(registry: Registry): void {
  registry.registerMetric(outboxPublished);
  registry.registerMetric(outboxPublishFailures);
  registry.registerMetric(outboxPending);
  registry.registerMetric(outboxLag);
  registry.registerMetric(eventsConsumed);
}
