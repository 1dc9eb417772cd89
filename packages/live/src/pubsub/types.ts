// Live notifications between processes: a subgraph publishes "order X changed" on a topic, the
// router's subscriptions listen. One interface, two channels: Redis (any number of processes and
// machines) and in-process memory (one process; bridged to the router over HTTP, see event-stream.ts).
// Delivery is at most once: a notification lost while a channel is down is not replayed.

/** Receives each message published on a topic after the subscription became active. */
export type TopicListener = (message: unknown) => void;

/** Receives each message published on any topic the pattern matches, with that topic. */
export type PatternListener = (topic: string, message: unknown) => void;

/** Ends one subscription; idempotent. No message reaches its listener once it was called. */
export type Unsubscribe = () => Promise<void>;

export interface PubSub {
  /** `redis`: shared by every process using the same Redis and prefix. `memory`: this process only. */
  readonly kind: 'redis' | 'memory';
  /**
   * Sends `message` (a JSON value: subscribers receive a parsed copy, never the object itself) to
   * every current subscriber of `topic`. Resolves once the channel has it; that is not a delivery
   * receipt. Rejects with a TypeError for a value JSON cannot represent, and when the channel is
   * down or closed: callers log and carry on, a live notification is never worth failing a change.
   */
  publish(topic: string, message: unknown): Promise<void>;
  /**
   * Resolves once the subscription is active: every message published on `topic` after that is
   * delivered to `listener`, in the order each publisher published. Rejects when the channel is
   * down or closed. A listener that throws (or rejects) is logged; other listeners still run.
   */
  subscribe(topic: string, listener: TopicListener): Promise<Unsubscribe>;
  /**
   * Like subscribe, for every topic starting with a prefix: `pattern` is that prefix followed by
   * one `*` (`order:*`; `*` alone is every topic). Characters before the `*` are literal.
   */
  subscribePattern(pattern: string, listener: PatternListener): Promise<Unsubscribe>;
  /**
   * Waits until the channel is usable, at most `timeoutMs`; resolves whether it is, never rejects.
   * A process awaits it at start so that its first messages are not refused (memory: at once).
   */
  ready(timeoutMs?: number): Promise<boolean>;
  /** For /health/ready: rejects, naming the reason, when the channel is down or closed. */
  check(): Promise<void>;
  /** Ends every subscription and releases connections and timers. Later calls reject. */
  close(): Promise<void>;
}

export class PubSubClosedError extends Error {
  constructor() {
    super('the pub/sub channel is closed');
    this.name = 'PubSubClosedError';
  }
}

/** Throws a RangeError unless `topic` is a non-empty string. */
export function assertTopic(topic: string): void {
  if (typeof topic !== 'string' || topic.length === 0) {
    throw new RangeError('a pub/sub topic must be a non-empty string');
  }
}

/** The literal prefix of a pattern (`order:*` -> `order:`); a RangeError for anything else. */
export function patternPrefix(pattern: string): string {
  if (typeof pattern !== 'string' || !pattern.endsWith('*') || pattern.indexOf('*') !== pattern.length - 1) {
    throw new RangeError(`a pub/sub pattern is a prefix followed by one '*', got ${JSON.stringify(pattern)}`);
  }
  return pattern.slice(0, -1);
}

/** The JSON text of a message; a TypeError for what JSON cannot carry (undefined, a function, a BigInt, a cycle). */
export function serializeMessage(message: unknown): string {
  const text = JSON.stringify(message) as string | undefined;
  if (text === undefined)
    throw new TypeError(`a pub/sub message must be a JSON value, got ${typeof message}`);
  return text;
}
