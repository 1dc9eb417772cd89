// The no-Redis bridge: a real subgraph server streams its in-process PubSub on GET /events, the
// router's LiveStreamBridge republishes into its own PubSub. Signatures, restarts, heartbeats,
// malformed streams and backoff.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import express from 'express';
import { parse } from 'graphql';
import pino from 'pino';
import { SIGNATURE_HEADER, signRequest, TIMESTAMP_HEADER } from '@flow/core';
import {
  createEventStreamHandler,
  liveStreamUrl,
  LiveStreamBridge,
  MemoryPubSub,
  RedisPubSub,
  ServerSentEventParser,
  type LiveStreamBridgeOptions,
  type PubSub,
} from '@flow/live';
import { startSubgraphServer, type BaseContext, type RunningSubgraph } from '../src/subgraph-server';
import { capturingLogger, inbox } from '@flow/testing';

const SECRET = 'event-stream-test-secret-of-enough-length';
const silent = pino({ level: 'silent' });
const schema = buildSubgraphSchema({ typeDefs: parse('type Query { ok: Boolean }') });

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function subgraph(events: PubSub, options: { production?: boolean; port?: number } = {}) {
  const server = await startSubgraphServer<BaseContext>({
    name: 'orders',
    schema,
    logger: silent,
    port: options.port ?? 0,
    production: options.production ?? true,
    routerSecret: SECRET,
    verifyToken: async () => {
      throw new Error('no tokens in this test');
    },
    buildContext: (base) => base,
    readiness: {},
    events,
  });
  cleanup.push(() => server.stop());
  return server;
}

function bridge(sources: string[], target: PubSub, options: Partial<LiveStreamBridgeOptions> = {}) {
  const running = new LiveStreamBridge({
    sources,
    secret: SECRET,
    target,
    logger: silent,
    minBackoffMs: 20,
    maxBackoffMs: 200,
    ...options,
  });
  cleanup.push(() => running.close());
  return running;
}

function memory() {
  const pubsub = new MemoryPubSub({ logger: silent });
  cleanup.push(() => pubsub.close());
  return pubsub;
}

/** Everything the router-side PubSub receives, as [topic, message]. */
async function everything(pubsub: PubSub) {
  const box = inbox<[string, unknown]>();
  await pubsub.subscribePattern('*', (topic, message) => box.push([topic, message]));
  return box;
}

const signedHeaders = (secret = SECRET, timestamp = String(Math.floor(Date.now() / 1000))) => {
  const requestId = 'events-test-request-1';
  return {
    'x-request-id': requestId,
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: signRequest(secret, {
      timestamp,
      requestId,
      authorization: '',
      clientAddress: '',
      query: '/events',
      operationName: null,
      variables: null,
    }),
  };
};

const eventsUrl = (server: RunningSubgraph) => liveStreamUrl(server.url);

describe('LiveStreamBridge with a subgraph server', () => {
  it('carries every message of the subgraph’s PubSub into the router’s, in order', async () => {
    const orders = memory();
    const inventory = memory();
    const ordersServer = await subgraph(orders);
    const inventoryServer = await subgraph(inventory);
    const router = memory();
    const received = await everything(router);
    const connected: string[] = [];
    const running = bridge([eventsUrl(ordersServer), eventsUrl(inventoryServer)], router, {
      onConnected: (source) => connected.push(source),
    });
    expect(await running.ready(5000)).toBe(true);
    await expect(running.check()).resolves.toBeUndefined();
    expect(connected.sort()).toEqual([eventsUrl(ordersServer), eventsUrl(inventoryServer)].sort());

    for (let i = 0; i < 50; i += 1) await orders.publish(`order:${i % 2}`, { type: 'order.placed', i });
    await inventory.publish('stock:depot-1', { onHand: 3, note: 'line\nbreak and “unicode”' });
    const messages = await received.next(51);
    expect(messages.filter(([topic]) => topic.startsWith('order:'))).toEqual(
      Array.from({ length: 50 }, (_, i) => [`order:${i % 2}`, { type: 'order.placed', i }]),
    );
    expect(messages).toContainEqual(['stock:depot-1', { onHand: 3, note: 'line\nbreak and “unicode”' }]);
  });

  it('reconnects when the subgraph restarts on the same port, and later messages cross', async () => {
    const before = memory();
    const first = await subgraph(before);
    const router = memory();
    const received = await everything(router);
    let connections = 0;
    let reconnected: () => void = () => {};
    const running = bridge([eventsUrl(first)], router, {
      onConnected: () => {
        connections += 1;
        if (connections === 2) reconnected();
      },
    });
    expect(await running.ready(5000)).toBe(true);
    await before.publish('order:1', 'before');
    await received.next(1);

    const stopping = Date.now();
    await first.stop(); // with the stream open: must not wait for it
    expect(Date.now() - stopping).toBeLessThan(2000);
    await before.publish('order:1', 'while down'); // nobody streams it: lost, by design

    const back = new Promise<void>((resolve) => {
      reconnected = resolve;
    });
    const after = memory();
    await subgraph(after, { port: first.port });
    await back;
    expect(running.connectedSources).toEqual([eventsUrl(first)]);
    await after.publish('order:1', 'after');
    expect(await received.next(2)).toEqual([
      ['order:1', 'before'],
      ['order:1', 'after'],
    ]);
  });

  it('closes quickly, connected or waiting to reconnect', async () => {
    const router = memory();
    const server = await subgraph(memory());
    const connectedBridge = new LiveStreamBridge({
      sources: [eventsUrl(server)],
      secret: SECRET,
      target: router,
      logger: silent,
    });
    expect(await connectedBridge.ready(5000)).toBe(true);
    const waiting = new LiveStreamBridge({
      sources: ['http://127.0.0.1:1/events'],
      secret: SECRET,
      target: router,
      logger: silent,
      minBackoffMs: 60_000,
    });
    expect(await waiting.ready(200)).toBe(false);
    await expect(waiting.check()).rejects.toThrow('event streams not connected: http://127.0.0.1:1/events');
    const started = Date.now();
    await Promise.all([connectedBridge.close(), waiting.close()]);
    expect(Date.now() - started).toBeLessThan(500);
    expect(connectedBridge.connectedSources).toEqual([]);
  });
});

describe('GET /events on a subgraph', () => {
  it('refuses a caller without the router’s signature in production', async () => {
    const server = await subgraph(memory(), { production: true });
    const unsigned = await fetch(eventsUrl(server));
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toEqual({
      errors: [
        {
          message: 'This service only accepts requests from the Flow router.',
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ],
    });
    const forged = await fetch(eventsUrl(server), { headers: signedHeaders('not-the-router-secret') });
    expect(forged.status).toBe(401);
    const stale = await fetch(eventsUrl(server), {
      headers: signedHeaders(SECRET, String(Math.floor(Date.now() / 1000) - 120)),
    });
    expect(stale.status).toBe(401);
    // A signature over a GraphQL operation does not open the stream.
    const timestamp = String(Math.floor(Date.now() / 1000));
    const replayed = await fetch(eventsUrl(server), {
      headers: {
        'x-request-id': 'events-test-request-2',
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signRequest(SECRET, {
          timestamp,
          requestId: 'events-test-request-2',
          authorization: '',
          query: '{ ok }',
          operationName: null,
          variables: null,
        }),
      },
    });
    expect(replayed.status).toBe(401);

    const signed = await fetch(eventsUrl(server), { headers: signedHeaders() });
    expect(signed.status).toBe(200);
    expect(signed.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    await signed.body?.cancel();
  });

  it('accepts unsigned callers outside production, like /graphql, but not a bad signature', async () => {
    const events = memory();
    const server = await subgraph(events, { production: false });
    const controller = new AbortController();
    const unsigned = await fetch(eventsUrl(server), { signal: controller.signal });
    expect(unsigned.status).toBe(200);
    const reader = unsigned.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toBe(': connected\n\n');
    await events.publish('order:9', { type: 'order.dispatched' });
    expect((await reader.read()).value).toBe(
      'event: message\ndata: {"topic":"order:9","message":{"type":"order.dispatched"}}\n\n',
    );
    controller.abort();
    const forged = await fetch(eventsUrl(server), { headers: signedHeaders('not-the-router-secret') });
    expect(forged.status).toBe(401);
  });

  it('is not served for a Redis channel (the router subscribes to Redis itself)', async () => {
    const redis = new RedisPubSub({ url: 'redis://127.0.0.1:6379', logger: silent });
    cleanup.push(() => redis.close());
    const server = await subgraph(redis, { production: false });
    expect((await fetch(eventsUrl(server))).status).toBe(404);
  });

  it('unsubscribes when the client goes away', async () => {
    const events = memory();
    const server = await subgraph(events, { production: false });
    const controller = new AbortController();
    const response = await fetch(eventsUrl(server), { signal: controller.signal });
    expect(response.status).toBe(200);
    expect(events.size).toBe(1);
    controller.abort();
    const deadline = Date.now() + 2000;
    while (events.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(events.size).toBe(0);
    await server.stop();
    expect(events.size).toBe(0);
  });
});

/** A bare HTTP server running `handle` for every request; its URL. */
async function rawServer(handle: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const server = http.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
}

describe('the event stream format', () => {
  it('sends a heartbeat comment on an idle stream', async () => {
    const app = express();
    const stream = createEventStreamHandler({ events: memory(), logger: silent, heartbeatMs: 30 });
    app.get('/events', stream.handle);
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(async () => {
      await stream.close();
      await new Promise((resolve) => server.close(resolve));
    });
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/events`);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes(': heartbeat\n\n: heartbeat\n\n')) text += (await reader.read()).value ?? '';
    expect(text.startsWith(': connected\n\n: heartbeat\n\n')).toBe(true);
    expect(stream.size).toBe(1);
    await stream.close();
    expect(await reader.read()).toEqual({ done: true, value: undefined }); // ended by close
    expect(stream.size).toBe(0);
    const refused = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/events`);
    expect(refused.status).toBe(503); // shutting down: no new stream
  });

  it('parses events split anywhere, with CRLF, CR or LF, comments and multi-line data', () => {
    const text =
      ': hello\r\nevent: message\r\ndata: {"topic":"a",\r\ndata: "message":1}\r\n\r\n' +
      'data: plain\r\rid: 7\nevent: other\ndata:x\n\n' +
      'data: unfinished';
    for (const size of [1, 2, 3, 7, text.length]) {
      const parser = new ServerSentEventParser();
      const events = [];
      for (let i = 0; i < text.length; i += size) events.push(...parser.push(text.slice(i, i + size)));
      expect(events).toEqual([
        { event: 'message', data: '{"topic":"a",\n"message":1}' },
        { event: 'message', data: 'plain' },
        { event: 'other', data: 'x' },
      ]);
    }
  });

  it('refuses an endless event', () => {
    const parser = new ServerSentEventParser();
    const chunk = `data: ${'x'.repeat(1024 * 1024)}\n`;
    expect(() => {
      for (let i = 0; i < 5; i += 1) parser.push(chunk);
    }).toThrow(/longer than/);
  });

  it('drops malformed events (logged), republishes the good ones', async () => {
    const url = await rawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: message\ndata: not json\n\n');
      res.write('event: message\ndata: {"message":1}\n\n');
      res.write('event: message\ndata: {"topic":"","message":1}\n\n');
      res.write('event: message\ndata: {"topic":"order:1"}\n\n');
      res.write('event: other\ndata: {"topic":"order:1","message":"ignored"}\n\n');
      res.write('event: message\ndata: {"topic":"order:1","message":"good"}\n\n');
    });
    const { logger, lines } = capturingLogger();
    const router = memory();
    const received = await everything(router);
    bridge([url], router, { logger });
    expect(await received.next(1)).toEqual([['order:1', 'good']]);
    const dropped = lines.filter((line) => line.msg === 'event stream: dropped a malformed event');
    expect(dropped).toHaveLength(4);
    expect(dropped.filter((line) => line.level === 40)).toHaveLength(1); // the rest at debug: no flood
  });

  it('reconnects a stream that has gone silent', async () => {
    let requests = 0;
    const url = await rawServer((_req, res) => {
      requests += 1;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`: connection ${requests}\n\n`); // then nothing, not even a heartbeat
    });
    let connections = 0;
    let twice: () => void = () => {};
    const reconnected = new Promise<void>((resolve) => {
      twice = resolve;
    });
    bridge([url], memory(), {
      idleTimeoutMs: 100,
      onConnected: () => {
        connections += 1;
        if (connections === 2) twice();
      },
    });
    await reconnected;
    expect(requests).toBeGreaterThanOrEqual(2);
  });

  it('backs off exponentially, up to the cap, while a source refuses', async () => {
    const at: number[] = [];
    const url = await rawServer((_req, res) => {
      at.push(Date.now());
      res.writeHead(401).end();
    });
    const { logger, lines } = capturingLogger();
    bridge([url], memory(), { minBackoffMs: 40, maxBackoffMs: 160, logger });
    while (at.length < 7) await new Promise((resolve) => setTimeout(resolve, 20));
    const gaps = at.slice(1).map((time, i) => time - at[i]!);
    // Nominal 40, 80, 160, 160, 160, 160 with ±20 % jitter (and a little scheduling delay).
    const nominal = [40, 80, 160, 160, 160, 160];
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(nominal[i]! * 0.8 - 5);
      expect(gap).toBeLessThan(nominal[i]! * 1.2 + 150);
    });
    const warnings = lines.filter((line) => line.msg === 'event stream unavailable, retrying');
    expect(warnings.filter((line) => line.level === 40)).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ reason: 'HTTP 401', source: url });
  });
});
