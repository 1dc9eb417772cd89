// Domain events without a broker: producers push signed batches over HTTP to the inbox that
// startSubgraphServer mounts for a consumer subgraph. The shared contract, signatures, consumers
// that are down, malformed events and the route's mounting.
import { randomUUID } from 'node:crypto';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import pino, { type Logger } from 'pino';
import {
  REQUEST_ID_HEADER,
  SERVICE_HEADER,
  SIGNATURE_HEADER,
  signRequest,
  TIMESTAMP_HEADER,
} from '@flow/core';
import {
  createEventBus,
  eventInboxUrl,
  httpEventTargets,
  inboxSignedOperation,
  type DomainEvent,
  type DomainEventHandler,
  type EventBus,
  type HttpEventTarget,
} from '@flow/messaging';
import { startSubgraphServer, type BaseContext, type RunningSubgraph } from '../src/subgraph-server';
import { domainEvent, eventsContract } from './events.contract';
import { capturingLogger } from '@flow/testing';

const SECRET = 'events-http-test-secret-of-enough-length';
const silent = pino({ level: 'silent' });
const schema = buildSubgraphSchema({ typeDefs: parse('type Query { ok: Boolean }') });

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A consumer subgraph whose inbox runs `handler` (none: the bus is mounted but nobody consumes). */
async function consumerSubgraph(
  options: {
    handler?: DomainEventHandler;
    bindings?: string[];
    maxAttempts?: number;
    retryForMs?: number;
    logger?: Logger;
  } = {},
): Promise<{ server: RunningSubgraph; bus: EventBus }> {
  const logger = options.logger ?? silent;
  const bus = createEventBus({ source: 'notifications', logger, secret: SECRET });
  if (options.handler) {
    await bus.consume({
      consumer: 'notifications',
      bindings: options.bindings ?? ['#'],
      handler: options.handler,
      maxAttempts: options.maxAttempts,
      // The contract counts attempts only; the retry window has a test of its own below.
      retryForMs: options.retryForMs ?? 0,
    });
  }
  const server = await startSubgraphServer<BaseContext>({
    name: 'notifications',
    schema,
    logger,
    port: 0,
    production: true,
    routerSecret: SECRET,
    verifyToken: async () => {
      throw new Error('no tokens in this test');
    },
    buildContext: (base) => base,
    readiness: {},
    eventBus: bus,
    close: () => bus.close(),
  });
  cleanup.push(() => server.stop());
  return { server, bus };
}

function producer(targets: HttpEventTarget[], options: { timeoutMs?: number } = {}): EventBus {
  const bus = createEventBus({
    source: 'orders',
    logger: silent,
    secret: SECRET,
    httpTargets: targets,
    httpTimeoutMs: options.timeoutMs,
  });
  cleanup.push(() => bus.close());
  return bus;
}

const target = (
  server: RunningSubgraph,
  bindings: string[],
  consumer = 'notifications',
): HttpEventTarget => ({
  consumer,
  inboxUrl: eventInboxUrl(server.url),
  bindings,
});

describe('HTTP push: the shared contract', () => {
  eventsContract({
    kind: 'http',
    async wire({ bindings, handler, maxAttempts, logger }) {
      const { server } = await consumerSubgraph({ handler, bindings, maxAttempts, logger });
      const bus = producer([target(server, bindings)]);
      return { publisher: bus.publisher, stop: async () => {} };
    },
    async deadLettered({ lines }) {
      return lines
        .filter((line) => line.msg === 'events: message dead-lettered')
        .map((line) => ({ id: String(line.eventId), error: String(line.reason) }));
    },
  });
});

/** A push as a producer sends it, with the parts of the signature the test may spoil. */
async function push(
  url: string,
  body: string,
  options: { secret?: string; signedBody?: string; service?: string; sign?: boolean } = {},
) {
  const requestId = randomUUID();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    [REQUEST_ID_HEADER]: requestId,
    [TIMESTAMP_HEADER]: timestamp,
    [SERVICE_HEADER]: options.service ?? 'orders',
  };
  if (options.sign !== false) {
    headers[SIGNATURE_HEADER] = signRequest(options.secret ?? SECRET, {
      timestamp,
      requestId,
      authorization: '',
      clientAddress: '',
      service: options.service ?? 'orders',
      ...inboxSignedOperation(options.signedBody ?? body),
    });
  }
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('HTTP push: the inbox', () => {
  it('refuses unsigned, wrongly signed and tampered pushes, and runs no handler', async () => {
    const calls: DomainEvent[] = [];
    const { server } = await consumerSubgraph({ handler: async (e) => void calls.push(e) });
    const url = eventInboxUrl(server.url);
    const body = JSON.stringify({ events: [domainEvent('order.placed')] });
    const other = JSON.stringify({ events: [domainEvent('order.cancelled')] });
    expect((await push(url, body, { sign: false })).status).toBe(401);
    expect((await push(url, body, { secret: 'another-secret-of-enough-length' })).status).toBe(401);
    expect((await push(url, other, { signedBody: body })).status).toBe(401);
    const refused = await push(url, body, { sign: false });
    expect(refused.body).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    expect(calls).toEqual([]);
    expect((await push(url, body)).status).toBe(200);
    expect(calls).toHaveLength(1);
  });

  it('answers 503 while nobody consumes', async () => {
    const { server } = await consumerSubgraph();
    const url = eventInboxUrl(server.url);
    const body = JSON.stringify({ events: [domainEvent('order.placed')] });
    expect(await push(url, body)).toMatchObject({
      status: 503,
      body: { errors: [{ extensions: { code: 'SERVICE_UNAVAILABLE' } }] },
    });
    expect((await push(url, 'not json')).status).toBe(503);
  });

  it('dead-letters a malformed event (logged), handles the others, answers 200; 400 for a body that is no batch', async () => {
    const calls: DomainEvent[] = [];
    const { logger, lines } = capturingLogger();
    const { server } = await consumerSubgraph({ handler: async (e) => void calls.push(e), logger });
    const url = eventInboxUrl(server.url);
    const good = domainEvent('order.placed');
    const response = await push(
      url,
      JSON.stringify({ events: [{ id: 'nope', type: 'order.placed' }, good] }),
    );
    expect(response).toEqual({ status: 200, body: { handled: 2 } });
    expect(calls).toEqual([good]);
    expect(lines.filter((l) => l.msg === 'events: message dead-lettered')).toEqual([
      expect.objectContaining({
        level: 50,
        producer: 'orders',
        reason: expect.stringMatching(/^not a domain event/),
      }),
    ]);
    expect((await push(url, 'not json')).status).toBe(400);
    expect((await push(url, JSON.stringify({ events: 'no' }))).status).toBe(400);
  });

  it('keeps a failing event for the retry window, however many attempts, then gives it up', async () => {
    const { logger, lines } = capturingLogger();
    let failing = true;
    const { server } = await consumerSubgraph({
      handler: async () => {
        if (failing) throw new Error('database unavailable');
      },
      maxAttempts: 2,
      retryForMs: 400,
      logger,
    });
    const url = eventInboxUrl(server.url);
    const body = JSON.stringify({ events: [domainEvent('order.placed')] });
    const dead = () => lines.filter((l) => l.msg === 'events: message dead-lettered');
    // Five attempts inside the window: all refused (the producer keeps the event), none given up.
    for (let attempt = 0; attempt < 5; attempt++) expect((await push(url, body)).status).toBe(503);
    expect(dead()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect((await push(url, body)).status).toBe(200);
    expect(dead()).toHaveLength(1);

    // An outage shorter than the window loses nothing: the next push after it is handled.
    const other = JSON.stringify({ events: [domainEvent('order.confirmed')] });
    expect((await push(url, other)).status).toBe(503);
    failing = false;
    expect((await push(url, other)).status).toBe(200);
    expect(dead()).toHaveLength(1);
  });

  it('handles a batch in order and skips the types it does not bind', async () => {
    const calls: string[] = [];
    const { server } = await consumerSubgraph({
      handler: async (e) => void calls.push(e.type),
      bindings: ['order.*', 'stock.low'],
    });
    const types = ['order.placed', 'stock.reserved', 'stock.low', 'order.confirmed', 'order.dispatched'];
    const body = JSON.stringify({ events: types.map((type) => domainEvent(type)) });
    expect((await push(eventInboxUrl(server.url), body)).status).toBe(200);
    expect(calls).toEqual(['order.placed', 'stock.low', 'order.confirmed', 'order.dispatched']);
  });

  it('counts consumed events on /metrics', async () => {
    const { server } = await consumerSubgraph({ handler: async () => {} });
    await producer([target(server, ['#'])]).publisher.publish([domainEvent('order.placed')]);
    const metrics = await (await fetch(new URL('/metrics', server.url))).text();
    expect(metrics).toMatch(
      /flow_events_consumed_total\{consumer="notifications",outcome="handled",process="notifications"\} [1-9]/,
    );
    expect(metrics).toContain('flow_outbox_published_total');
  });
});

describe('HTTP push: the producer', () => {
  it('pushes each event only to the consumers that bind it, signed as the producer', async () => {
    const a: DomainEvent[] = [];
    const b: DomainEvent[] = [];
    const first = await consumerSubgraph({ handler: async (e) => void a.push(e) });
    const second = await consumerSubgraph({ handler: async (e) => void b.push(e) });
    const bus = producer([
      target(first.server, ['order.*'], 'first'),
      target(second.server, ['stock.low', 'order.cancelled'], 'second'),
    ]);
    const events = [domainEvent('order.placed'), domainEvent('stock.low'), domainEvent('order.cancelled')];
    await bus.publisher.publish([...events, domainEvent('payment.captured')]);
    expect(a.map((e) => e.type)).toEqual(['order.placed', 'order.cancelled']);
    expect(b.map((e) => e.type)).toEqual(['stock.low', 'order.cancelled']);
  });

  it('rejects when a consumer is down (naming it) and still delivers to those that are up', async () => {
    const received: DomainEvent[] = [];
    const up = await consumerSubgraph({ handler: async (e) => void received.push(e) });
    const down = await consumerSubgraph({ handler: async () => {} });
    await down.server.stop();
    const bus = producer([target(up.server, ['#'], 'up'), target(down.server, ['#'], 'down')], {
      timeoutMs: 2000,
    });
    const event = domainEvent('order.placed');
    await expect(bus.publisher.publish([event])).rejects.toThrow(/events not delivered \(down: /);
    expect(received).toEqual([event]);
  });

  it('rejects when a consumer answers slower than the deadline', async () => {
    const { server } = await consumerSubgraph({
      handler: () => new Promise((resolve) => setTimeout(resolve, 1000)),
    });
    const bus = producer([target(server, ['#'])], { timeoutMs: 100 });
    await expect(bus.publisher.publish([domainEvent('order.placed')])).rejects.toThrow(/not delivered/);
  });

  it('finds its consumers in the catalog, next to their GraphQL endpoints', () => {
    expect(
      httpEventTargets({
        orders: 'http://127.0.0.1:8005/graphql',
        notifications: 'http://10.1.2.3:9010/graphql',
      }),
    ).toEqual([
      {
        consumer: 'notifications',
        inboxUrl: 'http://10.1.2.3:9010/events/inbox',
        bindings: [
          'order.*',
          'stock.low',
          'payment.failed',
          'organization.approved',
          'organization.suspended',
        ],
      },
    ]);
  });
});

describe('HTTP push: a subgraph without a bus', () => {
  it('has no inbox route', async () => {
    const server = await startSubgraphServer<BaseContext>({
      name: 'users',
      schema,
      logger: silent,
      port: 0,
      production: true,
      routerSecret: SECRET,
      verifyToken: async () => {
        throw new Error('no tokens');
      },
      buildContext: (base) => base,
      readiness: {},
    });
    cleanup.push(() => server.stop());
    const response = await fetch(eventInboxUrl(server.url), { method: 'POST', body: '{"events":[]}' });
    expect(response.status).toBe(404);
  });
});
