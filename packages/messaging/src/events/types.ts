import type { RequestHandler } from 'express';

/**
 * A domain event as it travels between subgraphs (the catalog in this folder's README): written to the producer's
 * outbox in the transaction of the change it describes, published after commit, consumed
 * at least once by idempotent consumers.
 */
export interface DomainEvent {
  /** The outbox row id (uuid): consumers deduplicate on it. */
  id: string;
  /** The routing key, e.g. `order.placed`, `stock.low`, `payment.failed`. */
  type: string;
  /** ISO 8601 time of the change. */
  occurredAt: string;
  /** The user who made the change; `service:<name>` for a service; null for the system. */
  actor: string | null;
  /** The organizations that may see the event. */
  organizationIds: string[];
  data: Record<string, unknown>;
  /** The subgraph that published it. */
  source: string;
}

export interface EventPublisher {
  /**
   * Resolves once the broker (or every consumer, without one) has durably accepted every event;
   * rejects otherwise, and the caller keeps the events to publish again.
   */
  publish(events: readonly DomainEvent[]): Promise<void>;
  close(): Promise<void>;
}

/** Handles one event; throwing means "not handled": it is delivered again later. */
export type DomainEventHandler = (event: DomainEvent) => Promise<void>;

export interface EventConsumerOptions {
  /** The consuming subgraph; names its queue. */
  consumer: string;
  /** Routing-key patterns in AMQP topic syntax: `order.*`, `stock.low`, `#`. */
  bindings: readonly string[];
  handler: DomainEventHandler;
  /** Deliveries of one event before it goes to the dead-letter queue (default 5). */
  maxAttempts?: number;
  /** RabbitMQ: unacknowledged messages in flight, handled concurrently (default 16). */
  prefetch?: number;
  /**
   * RabbitMQ: wait before the second delivery (default 1000 ms), doubled for each later one up to
   * `maxRetryDelayMs` (default 60 s). Without a broker the producer's relay backoff sets the pace.
   */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /**
   * Without a broker there is no dead-letter queue to replay from: an event whose handler keeps
   * failing (not with a PermanentEventError) is retried for at least this long as well as
   * maxAttempts times before it is given up (default 10 minutes), so that an outage of the
   * consumer's own database does not drop events.
   */
  retryForMs?: number;
}

/** Publishing and consuming domain events: RabbitMQ when configured, HTTP push otherwise. */
export interface EventBus {
  readonly kind: 'amqp' | 'http';
  /** What a producer hands to startOutboxRelay. */
  readonly publisher: EventPublisher;
  /**
   * Starts consuming (RabbitMQ: declares the queues and consumes, now and after every reconnection)
   * or registers the handler of this process's event inbox (no broker: one consumer per process).
   */
  consume(options: EventConsumerOptions): Promise<void>;
  /**
   * Without a broker: the `POST /events/inbox` route that producers push to (startSubgraphServer
   * mounts it when given the bus); null on RabbitMQ.
   */
  readonly inbox: EventInbox | null;
  /** For /health/ready: the broker connection and every consumer's channel (nothing without a broker). */
  check(): Promise<void>;
  /** Stops consuming (handlers in flight finish), then closes the publisher and the connection. */
  close(): Promise<void>;
}

/**
 * Thrown by a handler for an event that can never be handled (malformed, contradicting itself):
 * it is dead-lettered at once instead of being retried.
 */
export class PermanentEventError extends Error {
  readonly permanent = true;
}

/** Duck-typed, so that an error class of a consumer's own can say it too (`permanent: true`). */
export const isPermanentEventError = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;

/** Without a broker: the `POST /events/inbox` of this process (http-inbox.ts makes it). */
export interface EventInbox {
  /** Express handlers for `POST /events/inbox`: body, signature, handling. */
  readonly handlers: RequestHandler[];
  /** Sets the one consumer of this process. */
  register(options: EventConsumerOptions): void;
  /** Refuses further pushes (503), e.g. while shutting down. */
  close(): void;
}
