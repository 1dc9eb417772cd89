// Domain events over the real RabbitMQ (AMQP_TEST_URL, default amqp://guest:guest@127.0.0.1:5672):
// the shared contract, the queues and messages it declares, poison messages, an unreachable
// broker, and a dropped connection (through a TCP proxy this test controls). Every exchange and
// queue is unique to this run and deleted afterwards. Fails, never skips, without a broker.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { connect, type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import pino from 'pino';
import {
  consumerQueues,
  createEventBus,
  EVENT_HEADERS,
  type DomainEvent,
  type EventBus,
  type EventBusOptions,
} from '@flow/messaging';
import { domainEvent, eventsContract } from './events.contract';
import { capturingLogger, until } from '@flow/testing';

const AMQP_URL = process.env.AMQP_TEST_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const RUN = randomUUID().slice(0, 8);
const EXCHANGE = `flow-test.events.${RUN}`;
const silent = pino({ level: 'silent' });

let admin: ChannelModel;
let channel: Channel;
const exchanges = new Set<string>([EXCHANGE]);
const consumers = new Set<string>();
const buses = new Set<EventBus>();

beforeAll(async () => {
  admin = await connect(AMQP_URL); // rejects (the suite fails) when RabbitMQ is unreachable
  channel = await admin.createChannel();
});

afterEach(async () => {
  await Promise.all([...buses].map((bus) => bus.close()));
  buses.clear();
});

afterAll(async () => {
  for (const name of consumers) {
    for (const queue of Object.values(consumerQueues(name))) await channel.deleteQueue(queue);
  }
  for (const exchange of exchanges) await channel.deleteExchange(exchange);
  await admin.close();
});

function bus(options: Partial<EventBusOptions> = {}): EventBus {
  const created = createEventBus({
    source: 'orders',
    logger: silent,
    amqpUrl: AMQP_URL,
    exchange: EXCHANGE,
    secret: 'unused-with-a-broker',
    amqp: { minBackoffMs: 20, maxBackoffMs: 200, connectTimeoutMs: 2000 },
    ...options,
  });
  buses.add(created);
  return created;
}

function consumerName(): string {
  const name = `test-${RUN}-${randomUUID().slice(0, 8)}`;
  consumers.add(name);
  return name;
}

/** Takes every message now in a queue (acked: gone from it). */
async function drain(queue: string): Promise<GetMessage[]> {
  const taken: GetMessage[] = [];
  for (;;) {
    const message = await channel.get(queue, { noAck: true });
    if (!message) return taken;
    taken.push(message);
  }
}

const bodyOf = (message: GetMessage) => JSON.parse(message.content.toString()) as DomainEvent;

describe('RabbitMQ: the shared contract', () => {
  let current = '';
  const dead = new Map<string, { id: string; error: string }[]>();
  eventsContract({
    kind: 'amqp',
    async wire({ bindings, handler, maxAttempts, logger }) {
      current = consumerName();
      const producer = bus();
      const consumer = bus({ source: 'notifications', logger });
      await consumer.consume({
        consumer: current,
        bindings,
        handler,
        maxAttempts,
        retryDelayMs: 20,
        maxRetryDelayMs: 100,
      });
      return {
        publisher: producer.publisher,
        stop: async () => {
          await consumer.close();
          await producer.close();
        },
      };
    },
    async deadLettered() {
      const seen = dead.get(current) ?? [];
      for (const message of await drain(consumerQueues(current).dead)) {
        seen.push({
          id: bodyOf(message).id,
          error: String(message.properties.headers?.[EVENT_HEADERS.error]),
        });
      }
      dead.set(current, seen);
      return seen;
    },
  });
});

describe('RabbitMQ: queues and messages', () => {
  it('keeps events in a durable queue while the consumer is away, as persistent JSON messages', async () => {
    const name = consumerName();
    const first = bus({ source: 'notifications' });
    // Right after creating the bus, while it connects: still one consumer on one channel.
    await first.consume({ consumer: name, bindings: ['order.*'], handler: async () => {} });
    await expect(first.check()).resolves.toBeUndefined();
    expect(await channel.checkQueue(consumerQueues(name).main)).toMatchObject({ consumerCount: 1 });
    await first.close();
    buses.delete(first);

    const producer = bus();
    const events = [domainEvent('order.placed'), domainEvent('order.delivered')];
    await producer.publisher.publish(events);
    const queue = consumerQueues(name).main;
    expect(await channel.checkQueue(queue)).toMatchObject({ messageCount: 2, consumerCount: 0 });
    const [message] = await Promise.all([channel.get(queue, { noAck: false })]);
    if (!message) throw new Error('no message in the queue');
    expect(bodyOf(message)).toEqual(events[0]);
    expect(message.fields).toMatchObject({ exchange: EXCHANGE, routingKey: 'order.placed' });
    expect(message.properties).toMatchObject({
      deliveryMode: 2,
      messageId: events[0]!.id,
      type: 'order.placed',
      contentType: 'application/json',
      appId: 'orders',
    });
    channel.nack(message, false, true);

    // The consumer resumes where it left off.
    const received: DomainEvent[] = [];
    const again = bus({ source: 'notifications' });
    await again.consume({
      consumer: name,
      bindings: ['order.*'],
      handler: async (e) => void received.push(e),
    });
    await until(() => received.length === 2, 'the events kept while away');
    expect(received.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
    await until(async () => (await channel.checkQueue(queue)).messageCount === 0, 'the queue to empty');
  });

  it('dead-letters a message that is not a domain event at once, with the reason', async () => {
    const name = consumerName();
    const calls: DomainEvent[] = [];
    const { logger, lines } = capturingLogger();
    const consumer = bus({ source: 'notifications', logger });
    await consumer.consume({
      consumer: name,
      bindings: ['stock.low'],
      handler: async (e) => void calls.push(e),
      maxAttempts: 5,
    });
    channel.publish(EXCHANGE, 'stock.low', Buffer.from('not json {'), { messageId: 'raw-1' });
    channel.publish(EXCHANGE, 'stock.low', Buffer.from(JSON.stringify({ id: 1, type: 'stock.low' })), {
      messageId: 'raw-2',
    });
    const good = domainEvent('stock.low');
    channel.publish(EXCHANGE, 'stock.low', Buffer.from(JSON.stringify(good)));
    const queues = consumerQueues(name);
    await until(async () => (await channel.checkQueue(queues.dead)).messageCount === 2, 'two dead messages');
    const dead = await drain(queues.dead);
    expect(dead.map((m) => [m.properties.messageId, m.properties.headers?.[EVENT_HEADERS.error]])).toEqual([
      ['raw-1', 'not JSON'],
      ['raw-2', expect.stringMatching(/^not a domain event: id: .*occurredAt/)],
    ]);
    expect(dead[0]!.properties.headers).toMatchObject({
      [EVENT_HEADERS.attempts]: 0,
      [EVENT_HEADERS.consumer]: name,
      [EVENT_HEADERS.routingKey]: 'stock.low',
    });
    expect(dead[0]!.content.toString()).toBe('not json {');
    await until(() => calls.length === 1, 'the good event');
    expect(calls).toEqual([good]);
    expect(lines.filter((l) => l.msg === 'events: message dead-lettered' && l.level === 50)).toHaveLength(2);
  });

  it('waits longer before each retry and records the attempts', async () => {
    const name = consumerName();
    const at: number[] = [];
    const consumer = bus({ source: 'notifications' });
    await consumer.consume({
      consumer: name,
      bindings: ['payment.failed'],
      handler: async () => {
        at.push(Date.now());
        throw new Error(`failure ${at.length}`);
      },
      maxAttempts: 4,
      retryDelayMs: 100,
      maxRetryDelayMs: 250,
    });
    await bus().publisher.publish([domainEvent('payment.failed')]);
    const queues = consumerQueues(name);
    await until(async () => (await channel.checkQueue(queues.dead)).messageCount === 1, 'the dead message');
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // 100, 200, then capped at 250 ms (the broker expires messages at the head of the retry queue).
    expect(gaps).toHaveLength(3);
    expect(gaps[0]).toBeGreaterThanOrEqual(90);
    expect(gaps[1]).toBeGreaterThanOrEqual(190);
    expect(gaps[2]).toBeGreaterThanOrEqual(240);
    const [dead] = await drain(queues.dead);
    expect(dead!.properties.headers).toMatchObject({
      [EVENT_HEADERS.attempts]: 4,
      [EVENT_HEADERS.error]: 'failure 4',
      [EVENT_HEADERS.routingKey]: 'payment.failed',
    });
    expect(dead!.properties.headers?.['x-death']).toBeUndefined();
    expect((await channel.checkQueue(queues.retry)).messageCount).toBe(0);
  });

  it('consumes again when its queue is deleted under it', async () => {
    const name = consumerName();
    const received: string[] = [];
    const consumer = bus({ source: 'notifications', logger: silent });
    await consumer.consume({
      consumer: name,
      bindings: ['order.*'],
      handler: async (e) => void received.push(e.id),
      retryDelayMs: 20,
    });
    const queue = consumerQueues(name).main;
    await channel.deleteQueue(queue);
    await until(async () => {
      const { consumerCount } = await channel.assertQueue(queue, {
        durable: true,
        deadLetterExchange: '',
        deadLetterRoutingKey: consumerQueues(name).dead,
      });
      return consumerCount === 1;
    }, 'the queue to be declared and consumed again');
    await expect(consumer.check()).resolves.toBeUndefined();
    const event = domainEvent('order.placed');
    await bus().publisher.publish([event]);
    await until(() => received.includes(event.id), 'the event on the new queue');
  });

  it('opens a new channel after the broker closed the publishing one', async () => {
    const exchange = `flow-test.events.${RUN}.closing`;
    exchanges.add(exchange);
    const producer = bus({ exchange });
    await producer.publisher.publish([domainEvent('order.placed')]);
    await channel.deleteExchange(exchange);
    // Publishing to an exchange that is gone: the broker closes the channel, nothing is confirmed.
    await expect(producer.publisher.publish([domainEvent('order.placed')])).rejects.toThrow(
      /did not confirm/,
    );
    // The next publish declares the exchange again on a new channel.
    await expect(producer.publisher.publish([domainEvent('order.placed')])).resolves.toBeUndefined();
    await channel.checkExchange(exchange);
  });
});

/** A TCP proxy to RabbitMQ that the test can cut, and refuse connections through. */
async function brokerProxy() {
  const target = new URL(AMQP_URL);
  const sockets = new Set<net.Socket>();
  let refusing = false;
  const server = net.createServer((client) => {
    if (refusing) return client.destroy();
    const upstream = net.connect(Number(target.port || 5672), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(AMQP_URL);
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    cut: () => {
      for (const socket of sockets) socket.destroy();
    },
    refuse: (value: boolean) => {
      refusing = value;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('RabbitMQ: broker unreachable or lost', () => {
  it('refuses to publish at once when the broker cannot be reached, says why, hides the password', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { logger, lines } = capturingLogger();
    const unreachable = bus({ amqpUrl: `amqp://guest:s3cret@127.0.0.1:${port}`, logger });
    await expect(unreachable.publisher.publish([domainEvent('order.placed')])).rejects.toThrow(
      /not connected to the message broker at amqp:\/\/guest:\*\*\*@127\.0\.0\.1/,
    );
    await expect(unreachable.check()).rejects.toThrow(/not connected/);
    // A consumer registers anyway and starts once the broker is there.
    await expect(
      unreachable.consume({ consumer: consumerName(), bindings: ['#'], handler: async () => {} }),
    ).resolves.toBeUndefined();
    expect(JSON.stringify(lines)).not.toContain('s3cret');
    const closing = Date.now();
    await unreachable.close();
    expect(Date.now() - closing).toBeLessThan(500);
  });

  it('reconnects after the connection drops: the consumer resumes and publishing works again', async () => {
    const proxy = await brokerProxy();
    try {
      const name = consumerName();
      const received: string[] = [];
      const consumer = bus({ source: 'notifications', amqpUrl: proxy.url });
      await consumer.consume({
        consumer: name,
        bindings: ['order.*'],
        handler: async (e) => void received.push(e.id),
      });
      const producer = bus({ amqpUrl: proxy.url });
      const before = domainEvent('order.placed');
      await producer.publisher.publish([before]);
      await until(() => received.length === 1, 'the first event');

      proxy.refuse(true);
      proxy.cut();
      const during = domainEvent('order.confirmed');
      await until(async () => {
        try {
          await producer.publisher.publish([during]);
          return false;
        } catch {
          return true;
        }
      }, 'publishing to fail while the broker is away');
      await until(
        () =>
          consumer.check().then(
            () => false,
            () => true,
          ),
        'the consumer to report the lost connection',
      );

      proxy.refuse(false);
      // The relay's retry: rejected until the connection is back, then confirmed.
      await until(async () => {
        try {
          await producer.publisher.publish([during]);
          return true;
        } catch {
          return false;
        }
      }, 'publishing to work again');
      await until(() => received.includes(during.id), 'the consumer to resume');
      await until(
        () =>
          consumer.check().then(
            () => true,
            () => false,
          ),
        'the consumer to be ready again',
      );
      expect(received[0]).toBe(before.id);
    } finally {
      await Promise.all([...buses].map((b) => b.close()));
      buses.clear();
      await proxy.close();
    }
  });
});
