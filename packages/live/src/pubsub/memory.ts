// The in-process channel: for a single process, and for the default setup without Redis where
// each subgraph process has its own and the router pulls them over HTTP (event-stream.ts).
import type { Logger } from '@flow/core';
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

export interface MemoryPubSubOptions {
  /** Where failing listeners are reported. */
  logger: Logger;
}

// Each subscription is its own object, so one listener subscribed twice is two subscriptions.
interface TopicSubscription {
  listener: TopicListener;
}
interface PatternSubscription {
  listener: PatternListener;
}

export class MemoryPubSub implements PubSub {
  readonly kind = 'memory' as const;
  private readonly logger: Logger;
  private readonly topics = new Map<string, Set<TopicSubscription>>();
  /** By literal prefix. */
  private readonly patterns = new Map<string, Set<PatternSubscription>>();
  private closed = false;

  constructor(options: MemoryPubSubOptions) {
    this.logger = options.logger;
  }

  /**
   * Delivers on a microtask, like a message arriving from Redis: the publisher never runs a
   * listener inside its own call, and messages keep their publishing order. Subscribers are looked
   * up at delivery, so one that unsubscribed in between receives nothing.
   */
  async publish(topic: string, message: unknown): Promise<void> {
    assertTopic(topic);
    const text = serializeMessage(message);
    if (this.closed) throw new PubSubClosedError();
    queueMicrotask(() => this.deliver(topic, text));
  }

  private deliver(topic: string, text: string) {
    const direct = this.topics.get(topic);
    const matching = [...this.patterns].filter(([prefix]) => topic.startsWith(prefix));
    if (!direct?.size && matching.length === 0) return;
    const message: unknown = JSON.parse(text);
    for (const subscription of direct ?? []) {
      invokeListener(this.logger, topic, () => subscription.listener(message));
    }
    for (const [, subscriptions] of matching) {
      for (const subscription of subscriptions) {
        invokeListener(this.logger, topic, () => subscription.listener(topic, message));
      }
    }
  }

  async subscribe(topic: string, listener: TopicListener): Promise<Unsubscribe> {
    assertTopic(topic);
    return this.add(this.topics, topic, { listener });
  }

  async subscribePattern(pattern: string, listener: PatternListener): Promise<Unsubscribe> {
    return this.add(this.patterns, patternPrefix(pattern), { listener });
  }

  private add<S>(registry: Map<string, Set<S>>, key: string, subscription: S): Unsubscribe {
    if (this.closed) throw new PubSubClosedError();
    let subscriptions = registry.get(key);
    if (!subscriptions) registry.set(key, (subscriptions = new Set()));
    subscriptions.add(subscription);
    return async () => {
      subscriptions.delete(subscription);
      if (subscriptions.size === 0 && registry.get(key) === subscriptions) registry.delete(key);
    };
  }

  /** Subscriptions currently held (topics and patterns). */
  get size(): number {
    let count = 0;
    for (const registry of [this.topics, this.patterns] as Map<string, Set<unknown>>[]) {
      for (const subscriptions of registry.values()) count += subscriptions.size;
    }
    return count;
  }

  async ready(): Promise<boolean> {
    return !this.closed;
  }

  async check(): Promise<void> {
    if (this.closed) throw new PubSubClosedError();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.topics.clear();
    this.patterns.clear();
  }
}
