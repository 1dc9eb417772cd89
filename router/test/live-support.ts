// Fixtures for the live transports' tests (graphql-ws, SSE): a router on the real supergraph with
// the users test subgraph (every other subgraph points at a closed port, so their fields fail),
// live events through Redis under a prefix unique to the run, raw graphql-ws sockets, SSE streams.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { createPubSub, type PubSub } from '@flow/live';
import { subgraphCatalog, subgraphUrlVariable } from '@flow/core';
import type { RunningRouter } from '../src/router';
import { repositoryRoot, silentLogger, startTestRouter } from './support';

export { metric } from './support';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Nothing listens there: a subgraph at this URL fails every call at once. */
const CLOSED_PORT_URL = 'http://127.0.0.1:1/graphql';

export interface LiveRouter {
  router: RunningRouter;
  /** Publishes a live event as a subgraph would (through Redis). */
  publish: (topic: string, event: Record<string, unknown>) => Promise<void>;
  /** How many routers listen on a topic (Redis PUBSUB NUMSUB). */
  listeners: (topic: string) => Promise<number>;
  stop: () => Promise<void>;
}

/** The real supergraph, Redis under `prefix`, every subgraph but users at a closed port. */
export function liveRouterEnv(prefix: string): Record<string, string> {
  return {
    SUPERGRAPH_PATH: join(repositoryRoot, 'schema', 'supergraph.graphql'),
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    ...Object.fromEntries(
      subgraphCatalog
        .filter((s) => s.name !== 'users')
        .map((s) => [subgraphUrlVariable(s.name), CLOSED_PORT_URL]),
    ),
  };
}

export async function startLiveRouter(env: Record<string, string>): Promise<LiveRouter> {
  const prefix = `flow-test-live-${randomUUID()}:`;
  const router = await startTestRouter({ ...liveRouterEnv(prefix), ...env });
  const pubsub: PubSub = createPubSub({
    redisUrl: REDIS_URL,
    prefix: `${prefix}events:`,
    logger: silentLogger(),
  });
  const redis = new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 });
  return {
    router,
    publish: (topic, event) => pubsub.publish(topic, event),
    listeners: async (topic) => {
      const [, count] = (await redis.pubsub('NUMSUB', `${prefix}events:${topic}`)) as [string, number];
      return Number(count);
    },
    stop: async () => {
      await router.stop();
      await pubsub.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}

/** Polls until `check` holds (no fixed sleeps), failing with `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface Message {
  id?: string;
  type: string;
  payload?: unknown;
}

export interface RawSocket {
  socket: WebSocket;
  messages: Message[];
  acked: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  /** Sends `subscribe` and resolves with every message of that id up to its complete or error. */
  operation: (id: string, payload: Record<string, unknown>) => Promise<Message[]>;
  /** Resolves once `count` messages of `id` have arrived. */
  waitFor: (id: string, count: number) => Promise<Message[]>;
}

/** A graphql-transport-ws socket, initialized with `init` (the connection_init payload). */
export function rawSocket(routerUrl: string, init: Record<string, unknown> = {}): RawSocket {
  const socket = new WebSocket(routerUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const messages: Message[] = [];
  const listeners = new Set<() => void>();
  let ack!: () => void;
  const acked = new Promise<void>((resolve) => (ack = resolve));
  socket.on('error', () => {}); // the close code is what the tests look at
  socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: init })));
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as Message;
    messages.push(message);
    if (message.type === 'connection_ack') ack();
    for (const listener of listeners) listener();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const listener of listeners) listener();
    }),
  );
  const of = (id: string) => messages.filter((m) => m.id === id);
  const wait = (id: string, done: (list: Message[]) => boolean) =>
    new Promise<Message[]>((resolve, reject) => {
      const check = () => {
        if (done(of(id))) {
          listeners.delete(check);
          resolve(of(id));
        } else if (socket.readyState === WebSocket.CLOSED) {
          listeners.delete(check);
          reject(new Error(`socket closed before ${id} was answered: ${JSON.stringify(messages)}`));
        }
      };
      listeners.add(check);
      check();
    });
  return {
    socket,
    messages,
    acked,
    closed,
    operation: async (id, payload) => {
      await acked;
      socket.send(JSON.stringify({ id, type: 'subscribe', payload }));
      return wait(id, (list) => list.some((m) => m.type === 'complete' || m.type === 'error'));
    },
    waitFor: (id, count) => wait(id, (list) => list.length >= count),
  };
}

export interface EventStream {
  status: Promise<number>;
  /** The `next` payloads received so far. */
  results: unknown[];
  /** Resolves when the response ends (complete) or the stream is aborted. */
  done: Promise<void>;
  abort: () => void;
}

/** An SSE request (POST with a JSON body, or GET with query parameters). */
export function eventStream(
  routerUrl: string,
  options: {
    method: 'GET' | 'POST';
    query: string;
    variables?: Record<string, unknown>;
    operationName?: string;
    token?: string;
    headers?: Record<string, string>;
  },
): EventStream {
  const controller = new AbortController();
  const results: unknown[] = [];
  let status!: (value: number) => void;
  const statusPromise = new Promise<number>((resolve) => (status = resolve));
  const url = new URL(routerUrl);
  if (options.method === 'GET') {
    url.searchParams.set('query', options.query);
    if (options.variables) url.searchParams.set('variables', JSON.stringify(options.variables));
    if (options.operationName) url.searchParams.set('operationName', options.operationName);
  }
  const done = (async () => {
    const response = await fetch(url, {
      method: options.method,
      headers: {
        accept: 'text/event-stream',
        ...(options.method === 'POST' ? { 'content-type': 'application/json' } : {}),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body:
        options.method === 'POST'
          ? JSON.stringify({
              query: options.query,
              variables: options.variables,
              operationName: options.operationName,
            })
          : undefined,
      signal: controller.signal,
    });
    status(response.status);
    const text = response.body ? response.body.pipeThrough(new TextDecoderStream()) : null;
    if (!text) return;
    let buffer = '';
    for await (const chunk of text) {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (event === 'next' && data) results.push(JSON.parse(data));
      }
    }
  })().catch((error: unknown) => {
    if (!controller.signal.aborted) throw error;
  });
  return { status: statusPromise, results, done, abort: () => controller.abort() };
}
