// Helpers for the rate-limit and cap tests: graphql-ws sockets, SSE requests and metric reads.
import WebSocket from 'ws';

export { metric } from './support';

export interface TestSocket {
  socket: WebSocket;
  messages: { id?: string; type: string; payload?: unknown }[];
  closed: Promise<{ code: number; reason: string }>;
  acked: Promise<void>;
  /** Resolves once `predicate` holds for the messages received so far. */
  until: (predicate: (messages: TestSocket['messages']) => boolean) => Promise<void>;
  send: (message: unknown) => void;
}

export function openSocket(
  url: string,
  init: Record<string, unknown> = {},
  headers?: Record<string, string>,
): TestSocket {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers });
  const messages: TestSocket['messages'] = [];
  const waiters = new Set<() => void>();
  let ack!: () => void;
  const acked = new Promise<void>((resolve) => (ack = resolve));
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as TestSocket['messages'][number];
    messages.push(message);
    if (message.type === 'connection_ack') ack();
    for (const wake of [...waiters]) wake();
  });
  socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: init })));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const wake of [...waiters]) wake();
    }),
  );
  const until = (predicate: (m: TestSocket['messages']) => boolean) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (predicate(messages)) {
          waiters.delete(check);
          resolve();
        } else if (socket.readyState === WebSocket.CLOSED) {
          waiters.delete(check);
          reject(new Error(`socket closed while waiting; messages: ${JSON.stringify(messages.slice(-3))}`));
        }
      };
      waiters.add(check);
      check();
    });
  const send = (message: unknown) => socket.send(JSON.stringify(message));
  return { socket, messages, closed, acked, until, send };
}

/** A POST with `Accept: text/event-stream`; the response is returned as soon as its headers arrive. */
export function eventStream(
  url: string,
  query: string,
  options: { token?: string; signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    signal: options.signal,
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query }),
  });
}

/** Polls `read` until `accept` holds (each poll waits for the previous one; no fixed sleep decides). */
export async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
) {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!accept(value)) {
    if (Date.now() > deadline) throw new Error(`condition not met; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setImmediate(resolve));
    value = await read();
  }
  return value;
}

/** Runs `task` for 0..count-1 with at most `inFlight` at once. */
export async function pool<T>(
  count: number,
  inFlight: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const i = next;
        next += 1;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}
