import type { ConfirmChannel } from 'amqplib';
import type { Logger } from '@flow/core';
import { asError, type AmqpConnection } from './amqp-connection';
import type { DomainEvent, EventPublisher } from './types';

export interface AmqpPublisherOptions {
  connection: AmqpConnection;
  /** The topic exchange, declared durable on first use. */
  exchange: string;
  /** The publishing subgraph (the messages' app id). */
  source: string;
  logger: Logger;
}

/**
 * Publishes on a confirm channel: `publish` resolves only once the broker has confirmed every
 * message of the batch (persistent, so written to disk for durable queues).
 */
export class AmqpPublisher implements EventPublisher {
  private channel: Promise<ConfirmChannel> | null = null;

  constructor(private readonly options: AmqpPublisherOptions) {}

  async publish(events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    const channel = await this.openChannel();
    const confirms: Promise<void>[] = [];
    for (const event of events) {
      let written = true;
      confirms.push(
        new Promise<void>((resolve, reject) => {
          written = channel.publish(
            this.options.exchange,
            event.type,
            Buffer.from(JSON.stringify(event)),
            {
              persistent: true,
              messageId: event.id,
              type: event.type,
              contentType: 'application/json',
              appId: this.options.source,
              timestamp: Math.floor(Date.parse(event.occurredAt) / 1000),
            },
            (error: unknown) => (error ? reject(asError(error)) : resolve()),
          );
        }),
      );
      // Past the channel's buffer the broker is slower than us: wait before writing more.
      if (!written) await drained(channel);
    }
    const results = await Promise.allSettled(confirms);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw new Error(`the broker did not confirm every event: ${asError(failed.reason).message}`);
  }

  async close(): Promise<void> {
    const channel = this.channel;
    this.channel = null;
    const open = await channel?.catch(() => null);
    await open?.close().catch(() => undefined);
  }

  /** The confirm channel, opened (with the exchange declared) on first use and after any loss. */
  private openChannel(): Promise<ConfirmChannel> {
    this.channel ??= (async () => {
      const model = await this.options.connection.current();
      const channel = await model.createConfirmChannel();
      const forget = () => {
        if (this.channel === opened) this.channel = null;
      };
      channel.on('error', (error: Error) => {
        this.options.logger.warn({ err: error }, 'events: publishing channel error');
        forget();
      });
      channel.on('close', forget);
      await channel.assertExchange(this.options.exchange, 'topic', { durable: true });
      return channel;
    })();
    const opened = this.channel;
    opened.catch(() => {
      if (this.channel === opened) this.channel = null;
    });
    return opened;
  }
}

/** Resolves when the channel can take more writes, or is gone (its confirms then fail). */
function drained(channel: ConfirmChannel): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      channel.removeListener('drain', done);
      channel.removeListener('close', done);
      resolve();
    };
    channel.once('drain', done);
    channel.once('close', done);
  });
}
