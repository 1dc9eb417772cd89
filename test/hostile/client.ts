// Sends one corpus entry over its transport and records what came back, without judging it:
// node:http (raw bytes, any header, a chosen source address) and ws (raw frames), so that nothing
// between the corpus and the router tidies a hostile request up.
import http from 'node:http';
import WebSocket from 'ws';
import { expandBytes, requestFields, type CorpusEntry } from './corpus';

export interface Observation {
  transport: CorpusEntry['transport'];
  /** HTTP status (WebSocket: none). */
  status?: number;
  headers?: http.IncomingHttpHeaders;
  /** extensions.code of every error received (a missing code is recorded as ''). */
  codes: string[];
  errors: number;
  /** Some result carried data (a non-null `data` object). */
  data: boolean;
  /** WebSocket close code, when the router closed the socket. */
  closeCode?: number;
  /** Everything received, for `absent` checks and failure reports (capped). */
  text: string;
  /** The request did not complete: timeout, reset, refused connection. */
  failure?: string;
  ms: number;
}

export interface SendOptions {
  routerUrl: string;
  token?: string;
  timeoutMs: number;
  /** Source address on loopback (127.0.0.x), so a test can be its own client for the limiter. */
  localAddress?: string;
}

const TEXT_CAP = 64 * 1024;

function errorCodes(result: unknown): { codes: string[]; errors: number; data: boolean } {
  const body = (result ?? {}) as { errors?: unknown; data?: unknown };
  const list = Array.isArray(body.errors) ? (body.errors as { extensions?: { code?: unknown } }[]) : [];
  return {
    codes: list.map((e) => (typeof e?.extensions?.code === 'string' ? e.extensions.code : '')),
    errors: list.length,
    data: typeof body.data === 'object' && body.data !== null,
  };
}

function httpRequest(entry: CorpusEntry, options: SendOptions): Promise<Observation> {
  const started = performance.now();
  const url = new URL(options.routerUrl);
  const get = entry.transport === 'get' || entry.transport === 'sse-get';
  const sse = entry.transport === 'sse-post' || entry.transport === 'sse-get';
  const headers: Record<string, string> = {
    accept: sse ? 'text/event-stream' : 'application/json',
    ...(get ? { 'apollo-require-preflight': 'true' } : { 'content-type': 'application/json' }),
    ...(entry.auth && options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...entry.http?.headers,
  };
  // An empty value in the corpus means "send no such header".
  for (const [name, value] of Object.entries(headers)) if (value === '') delete headers[name];
  let path = url.pathname;
  let body: Buffer | undefined;
  if (get) {
    const search = entry.http?.search
      ? expandBytes(entry.http.search).toString('utf8')
      : new URLSearchParams(
          Object.entries(requestFields(entry.graphql ?? {})).map(([key, value]): [string, string] => [
            key,
            typeof value === 'string' ? value : JSON.stringify(value),
          ]),
        ).toString();
    path = `${path}?${search}`;
  } else {
    body = entry.http?.body
      ? expandBytes(entry.http.body)
      : Buffer.from(JSON.stringify(requestFields(entry.graphql ?? {})));
  }
  return new Promise((resolve) => {
    let settled = false;
    const finish = (observation: Omit<Observation, 'ms' | 'transport'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve({ ...observation, transport: entry.transport, ms: performance.now() - started });
    };
    const request = http.request({
      host: url.hostname,
      port: url.port,
      method: entry.http?.method ?? (get ? 'GET' : 'POST'),
      path,
      headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      localAddress: options.localAddress,
      agent: false,
    });
    const timer = setTimeout(
      () =>
        finish({
          codes: [],
          errors: 0,
          data: false,
          text: '',
          failure: `no answer in ${options.timeoutMs} ms`,
        }),
      options.timeoutMs,
    );
    request.on('error', (error) =>
      finish({ codes: [], errors: 0, data: false, text: '', failure: `request failed: ${error.message}` }),
    );
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const streaming = (response.headers['content-type'] ?? '').includes('text/event-stream');
      const observe = () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const base = {
          status: response.statusCode,
          headers: response.headers,
          text: text.slice(0, TEXT_CAP),
        };
        if (!streaming) {
          try {
            return finish({ ...base, ...errorCodes(JSON.parse(text)) });
          } catch {
            return finish({ ...base, codes: [], errors: 0, data: false });
          }
        }
        const results = text
          .split('\n\n')
          .filter((event) => event.startsWith('event: next'))
          .map((event) => {
            try {
              return errorCodes(JSON.parse(event.slice(event.indexOf('data: ') + 6)));
            } catch {
              return { codes: [''], errors: 1, data: false };
            }
          });
        finish({
          ...base,
          codes: results.flatMap((r) => r.codes),
          errors: results.reduce((sum, r) => sum + r.errors, 0),
          data: results.some((r) => r.data),
        });
      };
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= 4 * TEXT_CAP) chunks.push(chunk);
        // A stream that delivered a result and stays open is a live subscription: enough seen.
        if (streaming && Buffer.concat(chunks).includes('event: complete')) observe();
        else if (streaming && Buffer.concat(chunks).includes('event: next')) setTimeout(observe, 500);
      });
      response.on('end', observe);
      response.on('error', observe);
    });
    request.end(body);
  });
}

function wsUrlOf(routerUrl: string) {
  return routerUrl.replace(/^http/, 'ws');
}

function webSocketRequest(entry: CorpusEntry, options: SendOptions): Promise<Observation> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = new WebSocket(wsUrlOf(options.routerUrl), 'graphql-transport-ws', {
      localAddress: options.localAddress,
      maxPayload: 64 * 1024 * 1024,
    });
    const received: string[] = [];
    const results: ReturnType<typeof errorCodes>[] = [];
    let settled = false;
    let closeCode: number | undefined;
    const finish = (failure?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING)
        socket.terminate();
      resolve({
        transport: 'ws',
        codes: results.flatMap((r) => r.codes),
        errors: results.reduce((sum, r) => sum + r.errors, 0),
        data: results.some((r) => r.data),
        closeCode,
        text: received.join('\n').slice(0, TEXT_CAP),
        failure,
        ms: performance.now() - started,
      });
    };
    const timer = setTimeout(() => finish(`no answer in ${options.timeoutMs} ms`), options.timeoutMs);
    let quiet: NodeJS.Timeout | undefined;
    /** After raw frames or a live result, a short silence ends the observation. */
    const settleSoon = (ms: number) => {
      clearTimeout(quiet);
      quiet = setTimeout(() => finish(), ms);
    };
    socket.on('open', () => {
      socket.send(
        JSON.stringify({
          type: 'connection_init',
          payload: entry.auth && options.token ? { authorization: `Bearer ${options.token}` } : {},
        }),
      );
    });
    socket.on('message', (raw: Buffer) => {
      const text = raw.toString('utf8');
      received.push(text.slice(0, TEXT_CAP));
      let message: { type?: string; payload?: unknown };
      try {
        message = JSON.parse(text) as typeof message;
      } catch {
        return;
      }
      if (message.type === 'connection_ack') {
        if (entry.frames) {
          for (const frame of entry.frames) socket.send(expandBytes(frame), { binary: false });
          settleSoon(3000);
        } else {
          socket.send(
            JSON.stringify({ id: '1', type: 'subscribe', payload: requestFields(entry.graphql ?? {}) }),
          );
        }
      } else if (message.type === 'next') {
        results.push(errorCodes(message.payload));
        settleSoon(500);
      } else if (message.type === 'error') {
        // graphql-ws: the payload is the list of errors.
        results.push(
          errorCodes({ errors: Array.isArray(message.payload) ? message.payload : [message.payload] }),
        );
        finish();
      } else if (message.type === 'complete') {
        finish();
      } else if (message.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      }
    });
    socket.on('close', (code, reason) => {
      closeCode = code;
      received.push(`close ${code} ${reason.toString('utf8')}`);
      finish();
    });
    socket.on('unexpected-response', (_request, response) => {
      received.push(`upgrade refused: HTTP ${response.statusCode}`);
      closeCode = undefined;
      finish(`upgrade refused: HTTP ${response.statusCode}`);
    });
    socket.on('error', (error) => {
      if (!settled && closeCode === undefined) received.push(`socket error: ${error.message}`);
    });
  });
}

export function send(entry: CorpusEntry, options: SendOptions): Promise<Observation> {
  return entry.transport === 'ws' ? webSocketRequest(entry, options) : httpRequest(entry, options);
}
