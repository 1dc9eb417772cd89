// A consumer on RabbitMQ: a durable queue `flow.<consumer>` bound to the exchange with the
// consumer's patterns, manual acks, and two side queues:
//   flow.<consumer>.retry  failed deliveries wait there (per-message TTL, growing with each
//                          attempt), then the broker dead-letters them back to the main queue;
//   flow.<consumer>.dead   poison messages: not a domain event, or failed maxAttempts times.
// A message is acked only after its handler resolved, or after its copy in a side queue is
// confirmed by the broker: a crash in between delivers it again, never loses it.
import type { ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import type { Logger } from '@flow/core';
import { asError, type AmqpConnection, type ConnectionSetup } from './amqp-connection';
import { parseDomainEventJson } from './domain-event';
import { eventsConsumed, type ConsumeOutcome } from './metrics';
import { isPermanentEventError, type EventConsumerOptions } from './types';

/** Headers on the copies this consumer republishes. */
export const EVENT_HEADERS = {
  /** Failed deliveries so far. */
  attempts: 'x-flow-attempts',
  /** Why the last delivery failed (truncated), or why the message is dead. */
  error: 'x-flow-error',
  /** The routing key the event was first published with. */
  routingKey: 'x-flow-routing-key',
  consumer: 'x-flow-consumer',
} as const;

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_PREFETCH = 16;
export const DEFAULT_RETRY_DELAY_MS = 1000;
export const DEFAULT_MAX_RETRY_DELAY_MS = 60_000;

export const DEFAULT_QUEUE_PREFIX = 'flow.';

export function consumerQueues(consumer: string, queuePrefix = DEFAULT_QUEUE_PREFIX) {
  const main = `${queuePrefix}${consumer}`;
  return { main, retry: `${main}.retry`, dead: `${main}.dead` };
}

export interface AmqpConsumerOptions extends EventConsumerOptions {
  connection: AmqpConnection;
  exchange: string;
  /** Names the queues: `<prefix><consumer>` (default `flow.`); tests keep theirs apart with it. */
  queuePrefix?: string;
  logger: Logger;
}

const MAX_ERROR_HEADER_CHARS = 1000;
/** Broker bookkeeping that would only grow on each round trip through the retry queue. */
const DROPPED_HEADERS = ['x-death', 'x-first-death-exchange', 'x-first-death-queue', 'x-first-death-reason'];

export class AmqpConsumer {
  private channel: ConfirmChannel | null = null;
  private consumerTag: string | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly queues: ReturnType<typeof consumerQueues>;
  private readonly logger: Logger;
  private readonly setup: ConnectionSetup = (model) => this.start(model);
  private stopped = false;

  constructor(private readonly options: AmqpConsumerOptions) {
    this.queues = consumerQueues(options.consumer, options.queuePrefix);
    this.logger = options.logger.child({ component: 'events', consumer: options.consumer });
  }

  /**
   * Declares the queues and starts consuming now if the broker is reachable (its errors are the
   * caller's), and again after every reconnection.
   */
  async begin(): Promise<void> {
    await this.options.connection.onConnected(this.setup);
  }

  async check(): Promise<void> {
    if (!this.channel) throw new Error(`consumer ${this.options.consumer} is not consuming`);
  }

  /** Stops taking messages, lets the handlers in flight finish (and ack), closes the channel. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.options.connection.forget(this.setup);
    const channel = this.channel;
    if (channel && this.consumerTag) await channel.cancel(this.consumerTag).catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
    this.channel = null;
    await channel?.close().catch(() => undefined);
  }

  private async start(model: ChannelModel): Promise<void> {
    if (this.stopped) return;
    const { exchange, bindings } = this.options;
    const { main, retry, dead } = this.queues;
    const channel = await model.createConfirmChannel();
    channel.on('error', (error: Error) => this.logger.warn({ err: error }, 'events: consumer channel error'));
    channel.on('close', () => {
      if (this.channel !== channel) return;
      this.channel = null;
      if (!this.stopped) this.restartLater(model);
    });
    try {
      await channel.prefetch(this.options.prefetch ?? DEFAULT_PREFETCH);
      await channel.assertExchange(exchange, 'topic', { durable: true });
      await channel.assertQueue(dead, { durable: true });
      await channel.assertQueue(retry, { durable: true, deadLetterExchange: '', deadLetterRoutingKey: main });
      // Whatever the broker itself dead-letters (a reject) lands in the dead-letter queue too.
      await channel.assertQueue(main, { durable: true, deadLetterExchange: '', deadLetterRoutingKey: dead });
      for (const pattern of bindings) await channel.bindQueue(main, exchange, pattern);
      const { consumerTag } = await channel.consume(main, (message) => {
        if (message) return this.track(this.handle(channel, message));
        // The queue was deleted: a new channel declares it again and consumes from it.
        this.logger.error({ queue: main }, 'events: the broker cancelled the consumer; consuming again');
        void channel.close().catch(() => undefined);
      });
      this.channel = channel;
      this.consumerTag = consumerTag;
      this.logger.info({ queue: main, bindings }, 'events: consuming');
    } catch (error) {
      await channel.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * The broker closed the channel but not the connection (a channel error): consume again on the
   * same connection. A lost connection is not this method's business: the next one runs the setup.
   */
  private restartLater(model: ChannelModel) {
    const delayMs = this.options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    setTimeout(() => {
      if (this.stopped || this.channel || !this.options.connection.isCurrent(model)) return;
      this.start(model).catch((error: unknown) => {
        this.logger.warn({ err: error }, 'events: could not consume again; retrying');
        this.restartLater(model);
      });
    }, delayMs).unref();
  }

  private track(work: Promise<void>) {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async handle(channel: ConfirmChannel, message: ConsumeMessage): Promise<void> {
    const failedBefore = Number(message.properties.headers?.[EVENT_HEADERS.attempts]) || 0;
    const attempt = failedBefore + 1;
    try {
      const parsed = parseDomainEventJson(message.content);
      if (!parsed.ok) return await this.deadLetter(channel, message, parsed.error, failedBefore);
      const { event } = parsed;
      try {
        await this.options.handler(event);
      } catch (error) {
        const reason = asError(error).message;
        const maxAttempts = this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
        if (attempt >= maxAttempts || isPermanentEventError(error))
          return await this.deadLetter(channel, message, reason, attempt);
        return await this.retry(channel, message, attempt, reason, error);
      }
      channel.ack(message);
      this.count('handled');
    } catch (error) {
      // The channel went away before the ack: the broker delivers the message again.
      this.logger.warn(
        { err: error, messageId: message.properties.messageId },
        'events: could not settle a message; it will be delivered again',
      );
    }
  }

  private async retry(
    channel: ConfirmChannel,
    message: ConsumeMessage,
    attempt: number,
    reason: string,
    error: unknown,
  ): Promise<void> {
    const base = this.options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    const max = this.options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS;
    const delayMs = Math.min(max, base * 2 ** (attempt - 1));
    await this.republish(
      channel,
      this.queues.retry,
      message,
      {
        [EVENT_HEADERS.attempts]: attempt,
        [EVENT_HEADERS.error]: reason.slice(0, MAX_ERROR_HEADER_CHARS),
      },
      { expiration: String(delayMs) },
    );
    channel.ack(message);
    this.count('retried');
    this.logger.warn(
      { err: error, messageId: message.properties.messageId, attempt, retryInMs: delayMs },
      'events: handler failed; event will be delivered again',
    );
  }

  private async deadLetter(
    channel: ConfirmChannel,
    message: ConsumeMessage,
    reason: string,
    attempts: number,
  ): Promise<void> {
    await this.republish(channel, this.queues.dead, message, {
      [EVENT_HEADERS.attempts]: attempts,
      [EVENT_HEADERS.error]: reason.slice(0, MAX_ERROR_HEADER_CHARS),
    });
    channel.ack(message);
    this.count('dead_lettered');
    this.logger.error(
      { messageId: message.properties.messageId, attempts, reason, queue: this.queues.dead },
      'events: message dead-lettered',
    );
  }

  /** A copy to one of the side queues (default exchange), confirmed before the original is acked. */
  private republish(
    channel: ConfirmChannel,
    queue: string,
    message: ConsumeMessage,
    headers: Record<string, unknown>,
    extra: Options.Publish = {},
  ): Promise<void> {
    const { properties, fields } = message;
    const kept = Object.fromEntries(
      Object.entries(properties.headers ?? {}).filter(([name]) => !DROPPED_HEADERS.includes(name)),
    );
    return new Promise((resolve, reject) => {
      channel.sendToQueue(
        queue,
        message.content,
        {
          persistent: true,
          messageId: properties.messageId as string | undefined,
          type: properties.type as string | undefined,
          contentType: properties.contentType as string | undefined,
          appId: properties.appId as string | undefined,
          timestamp: properties.timestamp as number | undefined,
          headers: {
            ...kept,
            [EVENT_HEADERS.routingKey]: kept[EVENT_HEADERS.routingKey] ?? fields.routingKey,
            [EVENT_HEADERS.consumer]: this.options.consumer,
            ...headers,
          },
          ...extra,
        },
        (error: unknown) => (error ? reject(asError(error)) : resolve()),
      );
    });
  }

  private count(outcome: ConsumeOutcome) {
    eventsConsumed.inc({ consumer: this.options.consumer, outcome });
  }
}
