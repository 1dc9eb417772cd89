// A graphql-ws client for the end-to-end tests: subscribes through the router and collects what
// arrives, and tells how a socket was closed.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Collected<T> {
  results: {
    data?: T | null;
    errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
  }[];
  /** Resolves once `count` results have arrived. */
  waitFor: (count: number, timeoutMs?: number) => Promise<void>;
  /** Resolves when the server ends the subscription with an error (or completes it). */
  ended: Promise<unknown>;
  stop: () => void;
}

export function wsUrl(routerUrl: string): string {
  return routerUrl.replace(/^http/, 'ws');
}

export function liveClient(
  routerUrl: string,
  token: string | null,
  extra: Record<string, unknown> = {},
): Client {
  return createClient({
    url: wsUrl(routerUrl),
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: token ? { authorization: `Bearer ${token}`, ...extra } : extra,
  });
}

export function collect<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Collected<T> {
  const results: Collected<T>['results'] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let end!: (value: unknown) => void;
  const ended = new Promise((resolve) => (end = resolve));
  const stop = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        results.push(value as Collected<T>['results'][number]);
        for (const waiter of waiters.filter((w) => results.length >= w.count)) waiter.resolve();
      },
      error: (error) => end(error),
      complete: () => end('complete'),
    },
  );
  return {
    results,
    ended,
    stop,
    waitFor: (count, timeoutMs = 15_000) =>
      results.length >= count
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(
              () =>
                reject(new Error(`got ${results.length} of ${count} results: ${JSON.stringify(results)}`)),
              timeoutMs,
            );
            waiters.push({
              count,
              resolve: () => {
                clearTimeout(timer);
                resolve();
              },
            });
          }),
  };
}

/** Opens a raw socket speaking graphql-transport-ws and resolves with its close code and reason. */
export function rawSocket(
  routerUrl: string,
  send: unknown[] = [],
): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl(routerUrl), 'graphql-transport-ws');
    socket.on('open', () => send.forEach((message) => socket.send(JSON.stringify(message))));
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    socket.on('error', reject);
  });
}

/** A subscription over HTTP (Server-Sent Events, graphql-sse distinct connections). */
export function sseSubscription<T>(
  routerUrl: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
) {
  const results: { data?: T | null; errors?: unknown[] }[] = [];
  const controller = new AbortController();
  let connected!: () => void;
  const open = new Promise<void>((resolve) => (connected = resolve));
  const done = (async () => {
    const response = await fetch(routerUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ query, variables }),
      signal: controller.signal,
    });
    connected();
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done: finished } = await reader.read();
      if (finished) return response.headers.get('content-type');
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (event === 'next' && data) results.push(JSON.parse(data) as (typeof results)[number]);
      }
    }
  })().catch((error: unknown) => (controller.signal.aborted ? null : Promise.reject(error)));
  return {
    results,
    open,
    done,
    waitFor: async (count: number, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (results.length < count) {
        if (Date.now() > deadline)
          throw new Error(`got ${results.length} of ${count}: ${JSON.stringify(results)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: () => controller.abort(),
  };
}
