// The shared channel: Redis PUBLISH / SUBSCRIBE / PSUBSCRIBE, every channel under a prefix. Two
// connections, because a subscribed connection can send nothing but subscription commands.
//
// Nothing waits on a dead Redis: while a connection is down, publish and subscribe reject at once
// (no offline queue to replay stale notifications later); only during the very first connection
// attempt do they wait for it, so a process that publishes as it starts is not refused. Reconnection
// runs in the background. After a reconnection this class subscribes again to everything its
// registry holds (rather than ioredis's autoResubscribe, which would also restore a subscription
// whose UNSUBSCRIBE failed during the outage), then calls `onResubscribed`: messages published in
// between are lost, and subscribers resync by query.
import type { Redis } from 'ioredis';
import type { Logger } from '@flow/core';
import { redactRedisUrl } from '@flow/rate-limit';
import { invokeListener } from './dispatch';
import {
  assertTopic,
  patternPrefix,
  PubSubClosedError,
  serializeMessage,
  type PatternListener,
  type PubSub,
  type TopicListener,
  type Unsubscribe,
} from './types';

/** Loaded on first use: a process without a Redis URL (`npm start`) never pays for the client. */
const loadRedis = () => (require('ioredis') as typeof import('ioredis')).Redis;

export const DEFAULT_PUBSUB_PREFIX = 'flow:events:';

export interface RedisPubSubOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. */
  url: string;
  logger: Logger;
  /** Prepended to every topic to make the Redis channel (default `flow:events:`). */
  prefix?: string;
  /**
   * Names the two connections in Redis `CLIENT LIST`: `<name>:publish` and `<name>:subscribe`
   * (default `flow-pubsub`).
   */
  connectionName?: string;
  /** Deadline of one connection attempt (default 1000 ms). Reconnection goes on in the background. */
  connectTimeoutMs?: number;
  /** Deadline of one command: a publish, a subscribe, a health check (default 1000 ms). */
  commandTimeoutMs?: number;
  /**
   * Called each time the subscribing connection is back after a drop and every subscription is
   * active again. Messages published while it was away are lost: subscribers resync.
   */
  onResubscribed?: () => void;
}

interface Entry<Listener> {
  subscriptions: Set<{ listener: Listener }>;
  /** Settles when Redis has acknowledged the SUBSCRIBE (or PSUBSCRIBE). */
  active: Promise<void>;
}

const WARN_EVERY_MS = 30_000;

/** Redis glob patterns treat these specially; a backslash makes them literal. */
const escapeGlob = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');

export class RedisPubSub implements PubSub {
  readonly kind = 'redis' as const;
  readonly prefix: string;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly logger: Logger;
  private readonly where: string;
  private readonly connectTimeoutMs: number;
  private readonly onResubscribed: () => void;
  /** By Redis channel (prefix + topic). */
  private readonly topics = new Map<string, Entry<TopicListener>>();
  /** By Redis pattern (escaped prefix + literal prefix + `*`). */
  private readonly patterns = new Map<string, Entry<PatternListener>>();
  /** Connections that failed or dropped since they were last ready: calls fail fast. */
  private readonly down = new Set<Redis>();
  private subscriberWasReady = false;
  private lastWarnedAt = Number.NEGATIVE_INFINITY;
  private closing: Promise<void> | undefined;

  constructor(options: RedisPubSubOptions) {
    this.logger = options.logger;
    this.prefix = options.prefix ?? DEFAULT_PUBSUB_PREFIX;
    this.where = redactRedisUrl(options.url);
    this.connectTimeoutMs = options.connectTimeoutMs ?? 1000;
    this.onResubscribed = options.onResubscribed ?? (() => {});
    const name = options.connectionName ?? 'flow-pubsub';
    const connect = (role: 'publish' | 'subscribe') => {
      const client = new (loadRedis())(options.url, {
        connectionName: `${name}:${role}`,
        connectTimeout: this.connectTimeoutMs,
        commandTimeout: options.commandTimeoutMs ?? 1000,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        autoResubscribe: false,
        // Keep reconnecting in the background, at most every 2 s.
        retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
        // ioredis arms this timer even for a socket that is already gone; short, so close() is quick.
        disconnectTimeout: 200,
      });
      client.on('error', (error: Error) => {
        this.down.add(client);
        this.warn({ err: error, connection: role }, 'pub/sub: Redis connection error');
      });
      client.on('close', () => {
        if (!this.closing) this.down.add(client);
      });
      client.on('ready', () => {
        const wasDown = this.down.delete(client);
        if (wasDown)
          this.logger.info({ redis: this.where, connection: role }, 'pub/sub: Redis reachable again');
        if (this.down.size === 0) this.lastWarnedAt = Number.NEGATIVE_INFINITY;
      });
      return client;
    };
    this.publisher = connect('publish');
    this.subscriber = connect('subscribe');
    this.subscriber.on('ready', () => {
      if (this.subscriberWasReady) void this.resubscribe();
      this.subscriberWasReady = true;
    });
    this.subscriber.on('message', (channel: string, text: string) => this.onMessage(channel, text));
    this.subscriber.on('pmessage', (pattern: string, channel: string, text: string) =>
      this.onPatternMessage(pattern, channel, text),
    );
  }

  async publish(topic: string, message: unknown): Promise<void> {
    assertTopic(topic);
    const text = serializeMessage(message);
    await this.usable(this.publisher);
    await this.publisher.publish(this.prefix + topic, text);
  }

  async subscribe(topic: string, listener: TopicListener): Promise<Unsubscribe> {
    assertTopic(topic);
    const channel = this.prefix + topic;
    return this.add(this.topics, channel, listener, {
      subscribe: () => this.subscriber.subscribe(channel),
      unsubscribe: () => this.subscriber.unsubscribe(channel),
    });
  }

  async subscribePattern(pattern: string, listener: PatternListener): Promise<Unsubscribe> {
    const redisPattern = `${escapeGlob(this.prefix + patternPrefix(pattern))}*`;
    return this.add(this.patterns, redisPattern, listener, {
      subscribe: () => this.subscriber.psubscribe(redisPattern),
      unsubscribe: () => this.subscriber.punsubscribe(redisPattern),
    });
  }

  /** One Redis subscription per channel or pattern, shared by every listener of this instance. */
  private async add<Listener>(
    registry: Map<string, Entry<Listener>>,
    key: string,
    listener: Listener,
    commands: { subscribe: () => Promise<unknown>; unsubscribe: () => Promise<unknown> },
  ): Promise<Unsubscribe> {
    await this.usable(this.subscriber);
    let entry = registry.get(key);
    if (!entry) {
      const created: Entry<Listener> = {
        subscriptions: new Set(),
        active: commands.subscribe().then(() => undefined),
      };
      created.active.catch(() => {
        if (registry.get(key) !== created) return;
        registry.delete(key);
        // A SUBSCRIBE that timed out may still succeed later: undo it (sent after it, so applied after it).
        if (this.subscriber.status === 'ready') commands.unsubscribe().catch(() => undefined);
      });
      registry.set(key, created);
      entry = created;
    }
    const current = entry;
    const subscription = { listener };
    current.subscriptions.add(subscription);
    try {
      await current.active;
    } catch (error) {
      current.subscriptions.delete(subscription);
      throw error;
    }
    return async () => {
      if (!current.subscriptions.delete(subscription)) return;
      if (current.subscriptions.size > 0 || registry.get(key) !== current) return;
      registry.delete(key);
      if (this.closing) return;
      // While disconnected Redis has already forgotten it, and the registry no longer holds it to restore.
      await commands.unsubscribe().catch((error: unknown) => {
        this.logger.debug({ err: error, channel: key }, 'pub/sub: UNSUBSCRIBE failed (connection down)');
      });
    };
  }

  private onMessage(channel: string, text: string) {
    const entry = this.topics.get(channel);
    if (!entry?.subscriptions.size) return;
    const topic = channel.slice(this.prefix.length);
    const message = this.parse(topic, text);
    if (message === undefined) return;
    for (const subscription of entry.subscriptions) {
      invokeListener(this.logger, topic, () => subscription.listener(message.value));
    }
  }

  private onPatternMessage(pattern: string, channel: string, text: string) {
    const entry = this.patterns.get(pattern);
    if (!entry?.subscriptions.size) return;
    const topic = channel.slice(this.prefix.length);
    const message = this.parse(topic, text);
    if (message === undefined) return;
    for (const subscription of entry.subscriptions) {
      invokeListener(this.logger, topic, () => subscription.listener(topic, message.value));
    }
  }

  /** The message, or undefined (logged) when someone published something that is not JSON. */
  private parse(topic: string, text: string): { value: unknown } | undefined {
    try {
      return { value: JSON.parse(text) as unknown };
    } catch {
      this.logger.warn({ topic, length: text.length }, 'pub/sub: dropped a message that is not JSON');
      return undefined;
    }
  }

  private async resubscribe() {
    const channels = [...this.topics.keys()];
    const patterns = [...this.patterns.keys()];
    try {
      if (channels.length > 0) await this.subscriber.subscribe(...channels);
      if (patterns.length > 0) await this.subscriber.psubscribe(...patterns);
    } catch (error) {
      // Dropped again: the next 'ready' tries again.
      this.warn({ err: error }, 'pub/sub: could not restore the Redis subscriptions');
      return;
    }
    this.logger.info(
      { redis: this.where, channels: channels.length, patterns: patterns.length },
      'pub/sub: Redis subscriptions restored; messages published meanwhile were lost',
    );
    invokeListener(this.logger, '(resubscribed)', () => this.onResubscribed());
  }

  /**
   * Resolves when the connection can take a command now. During the first connection attempt it
   * waits for it (at most the connect timeout); once a connection has failed it rejects at once.
   */
  private async usable(client: Redis): Promise<void> {
    if (this.closing) throw new PubSubClosedError();
    if (client.status === 'ready') return;
    if (!this.down.has(client) && (await this.whenReady(client, this.connectTimeoutMs))) return;
    if (this.closing) throw new PubSubClosedError();
    throw new Error(`Redis ${this.where} is not connected (${client.status})`);
  }

  private whenReady(client: Redis, timeoutMs: number): Promise<boolean> {
    if (this.closing || client.status === 'end') return Promise.resolve(false);
    if (client.status === 'ready') return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        client.off('ready', onReady);
        client.off('end', onEnd);
        resolve(value);
      };
      const onReady = () => done(true);
      const onEnd = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      client.on('ready', onReady);
      client.on('end', onEnd);
    });
  }

  /** Whether both connections are up right now. */
  get connected(): boolean {
    return this.publisher.status === 'ready' && this.subscriber.status === 'ready';
  }

  async ready(timeoutMs = 2000): Promise<boolean> {
    const [publisher, subscriber] = await Promise.all([
      this.whenReady(this.publisher, timeoutMs),
      this.whenReady(this.subscriber, timeoutMs),
    ]);
    return publisher && subscriber;
  }

  async check(): Promise<void> {
    if (this.closing) throw new PubSubClosedError();
    for (const client of [this.publisher, this.subscriber]) {
      if (client.status !== 'ready')
        throw new Error(`Redis ${this.where} is not connected (${client.status})`);
    }
    await Promise.all([this.publisher.ping(), this.subscriber.ping()]);
  }

  /** Warnings while Redis is away: at most one per 30 s, so an outage does not flood the logs. */
  private warn(details: Record<string, unknown>, message: string) {
    if (this.closing) return;
    const now = Date.now();
    if (now - this.lastWarnedAt < WARN_EVERY_MS) return;
    this.lastWarnedAt = now;
    this.logger.warn({ redis: this.where, ...details }, message);
  }

  /** Forgets every subscription, quits politely when connected (at most 1 s), then drops both connections. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.topics.clear();
      this.patterns.clear();
      await Promise.all(
        [this.publisher, this.subscriber].map(async (client) => {
          if (client.status === 'ready') {
            let timer: NodeJS.Timeout | undefined;
            await Promise.race([
              client.quit().catch(() => undefined),
              new Promise((resolve) => {
                timer = setTimeout(resolve, 1000);
              }),
            ]);
            clearTimeout(timer);
          }
          if (client.status !== 'end') client.disconnect(); // also stops reconnecting
        }),
      );
    })();
    return this.closing;
  }
}
