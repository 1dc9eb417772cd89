// The router end of the no-Redis setup: each subgraph process keeps its own in-process PubSub and
// streams it on GET /events; the bridge reads every stream and republishes each message into the
// router's PubSub, where the GraphQL subscriptions listen. A dropped stream is reconnected with a
// capped exponential backoff; whatever was published meanwhile is lost (live notifications are at
// most once), so `onConnected` tells the router when subscribers should resync.
import { randomUUID } from 'node:crypto';
import { REQUEST_ID_HEADER, SIGNATURE_HEADER, signRequest, TIMESTAMP_HEADER } from '@flow/core';
import type { Logger } from '@flow/core';
import { EVENT_STREAM_PATH, EVENT_STREAM_SIGNED_OPERATION } from './event-stream-server';
import type { PubSub } from './types';

export interface LiveStreamBridgeOptions {
  /** Each subgraph's stream, e.g. `http://127.0.0.1:8005/events` (see liveStreamUrl). */
  sources: string[];
  /** The router secret the subgraphs check signatures with. */
  secret: string;
  /** Where every received message is republished, on the same topic. */
  target: PubSub;
  logger: Logger;
  /** First wait before reconnecting (default 250 ms); doubles on each failure in a row... */
  minBackoffMs?: number;
  /** ...up to this (default 10 s). */
  maxBackoffMs?: number;
  /** Deadline for a subgraph to answer a connection with its headers (default 5 s). */
  connectTimeoutMs?: number;
  /** A stream silent for this long (three missed heartbeats by default: 45 s) is dead: reconnect. */
  idleTimeoutMs?: number;
  /**
   * Called each time a stream is (re)connected. From then on its messages arrive; any published
   * while it was away are lost, so subscribers of that subgraph's topics should resync.
   */
  onConnected?: (source: string) => void;
  /** Injectable for tests; Node's fetch by default. */
  fetch?: typeof fetch;
}

/** The live stream next to a subgraph's GraphQL endpoint: `http://h:8005/graphql` -> `http://h:8005/events`. */
export function liveStreamUrl(graphqlUrl: string): string {
  return new URL(EVENT_STREAM_PATH.slice(1), graphqlUrl).toString();
}

/** Largest event (or unterminated line) accepted from a stream before it is dropped as broken. */
const MAX_EVENT_CHARS = 4 * 1024 * 1024;
const WARN_EVERY_MS = 30_000;

export interface ServerSentEvent {
  event: string;
  data: string;
}

/** An incremental parser of the text/event-stream format (comments, `event:` and `data:` fields). */
export class ServerSentEventParser {
  private buffer = '';
  private data: string[] = [];
  private dataChars = 0;
  private event = '';

  /** Feeds decoded text; returns the events it completed. Throws when an event grows past the limit. */
  push(text: string): ServerSentEvent[] {
    this.buffer += text;
    const done: ServerSentEvent[] = [];
    const newline = /\r\n|\r|\n/g;
    let start = 0;
    for (;;) {
      newline.lastIndex = start;
      const match = newline.exec(this.buffer);
      if (!match) break;
      // A CR as the last character may be the first half of CRLF: wait for the next chunk.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) break;
      this.line(this.buffer.slice(start, match.index), done);
      start = match.index + match[0].length;
    }
    this.buffer = this.buffer.slice(start);
    if (this.buffer.length + this.dataChars > MAX_EVENT_CHARS) {
      throw new Error(`an event stream sent an event longer than ${MAX_EVENT_CHARS} characters`);
    }
    return done;
  }

  private line(line: string, done: ServerSentEvent[]) {
    if (line === '') {
      if (this.data.length > 0) done.push({ event: this.event || 'message', data: this.data.join('\n') });
      this.data = [];
      this.dataChars = 0;
      this.event = '';
      return;
    }
    if (line.startsWith(':')) return; // a comment: heartbeat
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      this.data.push(value);
      this.dataChars += value.length + 1;
    } else if (field === 'event') {
      this.event = value;
    }
  }
}

export class LiveStreamBridge {
  private readonly options: LiveStreamBridgeOptions;
  private readonly fetch: typeof fetch;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly connected = new Set<string>();
  private readonly aborts = new Set<AbortController>();
  private readonly sleepers = new Set<() => void>();
  private readonly waiters = new Set<() => void>();
  private readonly loops: Promise<void>[];
  private readonly lastWarnedAt = new Map<string, number>();
  private closed = false;

  /** Starts connecting to every source at once. */
  constructor(options: LiveStreamBridgeOptions) {
    this.options = options;
    this.fetch = options.fetch ?? fetch;
    this.minBackoffMs = options.minBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.loops = [...new Set(options.sources)].map((source) => this.run(source));
  }

  /** The sources whose stream is open now. */
  get connectedSources(): string[] {
    return [...this.connected];
  }

  /** Waits until every source is connected, at most `timeoutMs`; resolves whether they are. */
  ready(timeoutMs = 5000): Promise<boolean> {
    const all = () => this.options.sources.every((source) => this.connected.has(source));
    if (all()) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(value);
      };
      const check = () => {
        if (all()) done(true);
        else if (this.closed) done(false);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waiters.add(check);
    });
  }

  /** For the router's /health/ready: rejects naming the sources whose stream is down. */
  async check(): Promise<void> {
    const down = this.options.sources.filter((source) => !this.connected.has(source));
    if (down.length > 0) throw new Error(`event streams not connected: ${down.join(', ')}`);
  }

  /** Stops every stream and reconnection; resolves when nothing is left running. */
  async close(): Promise<void> {
    this.closed = true;
    for (const controller of this.aborts) controller.abort();
    for (const wake of this.sleepers) wake();
    for (const check of this.waiters) check();
    await Promise.all(this.loops);
  }

  private async run(source: string) {
    let failures = 0;
    while (!this.closed) {
      const { opened, error } = await this.stream(source);
      if (this.closed) break;
      failures = opened ? 1 : failures + 1;
      const delay = this.backoff(failures);
      const details = {
        source,
        retryInMs: delay,
        reason: error instanceof Error ? error.message : String(error),
      };
      this.warn(
        source,
        details,
        opened ? 'event stream dropped, reconnecting' : 'event stream unavailable, retrying',
      );
      await this.sleep(delay);
    }
  }

  /** Capped exponential, with ±20 % jitter so that many routers do not reconnect in step. */
  private backoff(failures: number): number {
    const base = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** Math.min(failures - 1, 30));
    return Math.round(Math.min(this.maxBackoffMs, base * (0.8 + Math.random() * 0.4)));
  }

  /** One connection, from request to end. Never throws: says whether it opened, and why it ended. */
  private async stream(source: string): Promise<{ opened: boolean; error: unknown }> {
    const controller = new AbortController();
    this.aborts.add(controller);
    let timer: NodeJS.Timeout | undefined;
    const expire = (ms: number, why: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new Error(why)), ms);
    };
    let opened = false;
    try {
      expire(this.options.connectTimeoutMs ?? 5000, 'no answer to the connection');
      const response = await this.fetch(source, { headers: this.headers(), signal: controller.signal });
      if (!response.ok || !response.body) {
        await response.body?.cancel().catch(() => undefined);
        throw new Error(`HTTP ${response.status}`);
      }
      const idleTimeoutMs = this.options.idleTimeoutMs ?? 45_000;
      expire(idleTimeoutMs, `nothing received for ${idleTimeoutMs} ms`);
      opened = true;
      this.connected.add(source);
      this.options.logger.info({ source }, 'event stream connected');
      for (const check of this.waiters) check();
      if (this.options.onConnected) {
        const onConnected = this.options.onConnected;
        try {
          onConnected(source);
        } catch (error) {
          this.options.logger.error({ err: error, source }, 'event stream: onConnected failed');
        }
      }

      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new ServerSentEventParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return { opened, error: new Error('the stream ended') };
        expire(idleTimeoutMs, `nothing received for ${idleTimeoutMs} ms`);
        for (const event of parser.push(value)) await this.forward(source, event);
      }
    } catch (error) {
      return { opened, error: controller.signal.aborted ? (controller.signal.reason ?? error) : error };
    } finally {
      clearTimeout(timer);
      this.connected.delete(source);
      this.aborts.delete(controller);
      controller.abort(); // releases the connection whatever happened
    }
  }

  private headers(): Record<string, string> {
    const requestId = randomUUID();
    const timestamp = String(Math.floor(Date.now() / 1000));
    return {
      accept: 'text/event-stream',
      [REQUEST_ID_HEADER]: requestId,
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: signRequest(this.options.secret, {
        timestamp,
        requestId,
        authorization: '',
        clientAddress: '',
        ...EVENT_STREAM_SIGNED_OPERATION,
      }),
    };
  }

  /** Republishes one event; a malformed one, or one the target refuses, is logged and dropped. */
  private async forward(source: string, event: ServerSentEvent) {
    if (event.event !== 'message') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(event.data);
    } catch {
      parsed = undefined;
    }
    const { topic, message } = (parsed ?? {}) as { topic?: unknown; message?: unknown };
    if (typeof topic !== 'string' || topic === '' || message === undefined) {
      this.warn(source, { source, length: event.data.length }, 'event stream: dropped a malformed event');
      return;
    }
    try {
      await this.options.target.publish(topic, message);
    } catch (error) {
      this.warn(source, { source, topic, err: error }, 'event stream: could not republish an event');
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  /** At most one warning per source per 30 s: a subgraph that is down for long does not flood the logs. */
  private warn(source: string, details: Record<string, unknown>, message: string) {
    const now = Date.now();
    if (now - (this.lastWarnedAt.get(source) ?? Number.NEGATIVE_INFINITY) < WARN_EVERY_MS) {
      this.options.logger.debug(details, message);
      return;
    }
    this.lastWarnedAt.set(source, now);
    this.options.logger.warn(details, message);
  }
}
