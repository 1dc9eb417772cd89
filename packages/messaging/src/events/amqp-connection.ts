// One AMQP connection per process, kept open: a dropped connection is reopened with a capped
// exponential backoff, and whatever was set up on it (consumers) is set up again. Publishing
// while it is down fails at once: the outbox keeps the events until it is back.
import type { ChannelModel } from 'amqplib';
import type { Logger } from '@flow/core';

/** Loaded on first use: a process without a broker (`npm start`) never pays for the client. */
const loadAmqp = () => require('amqplib') as typeof import('amqplib');

export interface AmqpConnectionOptions {
  url: string;
  logger: Logger;
  /** Shown in the broker's management UI. */
  connectionName: string;
  /** First wait before reconnecting (default 250 ms); doubles on each failure in a row... */
  minBackoffMs?: number;
  /** ...up to this (default 15 s). */
  maxBackoffMs?: number;
  /** Deadline for the TCP and AMQP handshake (default 5 s). */
  connectTimeoutMs?: number;
}

/** Runs on every (re)connection, e.g. declares a consumer's queues and starts consuming. */
export type ConnectionSetup = (model: ChannelModel) => Promise<void>;

export class BrokerUnavailableError extends Error {
  constructor(message = 'not connected to the message broker') {
    super(message);
    this.name = 'BrokerUnavailableError';
  }
}

/** The URL with its password masked, for logs. */
export function redactAmqpUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable AMQP URL)';
  }
}

const WARN_EVERY_MS = 30_000;

export class AmqpConnection {
  private model: ChannelModel | null = null;
  /** Each setup, with the connection it last ran on: it runs once per connection. */
  private readonly setups = new Map<ConnectionSetup, ChannelModel | null>();
  private readonly loop: Promise<void>;
  private readonly firstAttempt: Promise<void>;
  private settleFirstAttempt: () => void = () => {};
  private wakeSleeper: (() => void) | null = null;
  private closed = false;
  private lastError: Error | null = null;
  private lastWarnedAt = Number.NEGATIVE_INFINITY;
  private readonly where: string;

  constructor(private readonly options: AmqpConnectionOptions) {
    this.where = redactAmqpUrl(options.url);
    this.firstAttempt = new Promise((resolve) => (this.settleFirstAttempt = resolve));
    this.loop = this.run();
  }

  /** Resolves after the first attempt to connect, whatever its outcome. */
  attempted(): Promise<void> {
    return this.firstAttempt;
  }

  /** The open connection, or BrokerUnavailableError (after the first attempt settled). */
  async current(): Promise<ChannelModel> {
    await this.firstAttempt;
    if (this.model) return this.model;
    throw new BrokerUnavailableError(
      `not connected to the message broker at ${this.where}${this.lastError ? `: ${this.lastError.message}` : ''}`,
    );
  }

  async check(): Promise<void> {
    await this.current();
  }

  /** Whether `model` is the connection open now (not one that was lost since). */
  isCurrent(model: ChannelModel): boolean {
    return this.model === model;
  }

  /**
   * Registers a setup for every future connection and runs it on the current one, if any: its
   * error is then the caller's (a queue declared with other arguments, say).
   */
  async onConnected(setup: ConnectionSetup): Promise<void> {
    this.setups.set(setup, null);
    await this.firstAttempt;
    // A connection being opened meanwhile ran it already (or will, if it is still opening).
    const model = this.model;
    if (!model || this.setups.get(setup) === model) return;
    this.setups.set(setup, model);
    await setup(model);
  }

  forget(setup: ConnectionSetup): void {
    this.setups.delete(setup);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeSleeper?.();
    const model = this.model;
    this.model = null;
    await model?.close().catch(() => undefined);
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      const lost = await this.session();
      this.settleFirstAttempt();
      if (this.closed) break;
      failures = lost.opened ? 1 : failures + 1;
      const delay = this.backoff(failures);
      this.lastError = lost.error;
      this.warn(
        { broker: this.where, err: lost.error, retryInMs: delay },
        lost.opened ? 'broker connection lost, reconnecting' : 'broker unreachable, retrying',
      );
      await this.sleep(delay);
    }
    this.settleFirstAttempt();
  }

  /** One connection from open to close; never throws. */
  private async session(): Promise<{ opened: boolean; error: Error }> {
    let model: ChannelModel;
    try {
      model = await loadAmqp().connect(this.options.url, {
        timeout: this.options.connectTimeoutMs ?? 5000,
        clientProperties: { connection_name: this.options.connectionName },
      });
    } catch (error) {
      return { opened: false, error: asError(error) };
    }
    const ended = new Promise<Error>((resolve) => {
      model.on('error', (error: Error) => resolve(error));
      model.on('close', (error?: Error) => resolve(error ?? new Error('connection closed')));
    });
    if (this.closed) {
      await model.close().catch(() => undefined);
      return { opened: true, error: new Error('closed') };
    }
    try {
      // Setups registered while these run join the loop (a Map iterates over late additions).
      for (const setup of this.setups.keys()) {
        this.setups.set(setup, model);
        await setup(model);
      }
    } catch (error) {
      await model.close().catch(() => undefined);
      return { opened: false, error: asError(error) };
    }
    this.model = model;
    this.lastError = null;
    this.options.logger.info({ broker: this.where }, 'connected to the message broker');
    this.settleFirstAttempt();
    const error = await ended;
    if (this.model === model) this.model = null;
    return { opened: true, error };
  }

  private backoff(failures: number): number {
    const min = this.options.minBackoffMs ?? 250;
    const max = this.options.maxBackoffMs ?? 15_000;
    const base = Math.min(max, min * 2 ** Math.min(failures - 1, 30));
    return Math.round(Math.min(max, base * (0.8 + Math.random() * 0.4)));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleeper = done;
    });
  }

  /** At most one warning per 30 s: a broker that is down for long does not flood the logs. */
  private warn(details: Record<string, unknown>, message: string) {
    const now = Date.now();
    if (now - this.lastWarnedAt < WARN_EVERY_MS) return this.options.logger.debug(details, message);
    this.lastWarnedAt = now;
    this.options.logger.warn(details, message);
  }
}

export const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
