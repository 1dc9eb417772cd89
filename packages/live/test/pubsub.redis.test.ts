// RedisPubSub against the real Redis (REDIS_URL, default 127.0.0.1:6379): the shared contract,
// several processes on one channel, a killed connection, an unreachable Redis. Fails, never skips,
// when Redis is unreachable. Every channel is under a prefix unique to this run.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import { RedisPubSub, type RedisPubSubOptions } from '../src/pubsub';
import { pubSubContract } from './pubsub.contract';
import { capturingLogger, inbox } from '@flow/testing';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `flow-test:events:${randomUUID()}:`;
const silent = pino({ level: 'silent' });

let admin: Redis;
const open = new Set<RedisPubSub>();

async function connected(options: Partial<RedisPubSubOptions> & { logger?: Logger } = {}) {
  const pubsub = new RedisPubSub({ url: REDIS_URL, logger: silent, prefix: PREFIX, ...options });
  open.add(pubsub);
  if (!(await pubsub.ready(5000))) {
    await pubsub.close();
    throw new Error(`Redis at ${REDIS_URL} is unreachable: these tests need it`);
  }
  return pubsub;
}

async function until(condition: () => Promise<boolean>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The connections Redis holds under this name (CLIENT LIST), as field maps. */
async function clients(name: string): Promise<Record<string, string>[]> {
  const list = (await admin.client('LIST')) as string;
  return list
    .split('\n')
    .filter(Boolean)
    .map((line) =>
      Object.fromEntries(line.split(' ').map((field) => field.split('=', 2) as [string, string])),
    )
    .filter((client) => client.name === name);
}

beforeAll(async () => {
  admin = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0 });
  await admin.connect(); // rejects (the suite fails) when Redis is unreachable
});

afterEach(async () => {
  await Promise.all([...open].map((pubsub) => pubsub.close()));
  open.clear();
});

afterAll(async () => {
  await admin.quit();
});

describe('RedisPubSub: the shared contract', () => {
  pubSubContract({ create: (logger) => connected({ logger }), kind: 'redis' });
});

describe('RedisPubSub: one channel for every process', () => {
  it('lets two processes see each other’s messages', async () => {
    const orders = await connected();
    const router = await connected();
    const topic = `order:${randomUUID()}`;
    const atRouter = inbox();
    const atOrders = inbox<[string, unknown]>();
    await router.subscribe(topic, (message) => atRouter.push(message));
    await orders.subscribePattern('order:*', (t, message) => {
      if (t === topic) atOrders.push([t, message]);
    });
    await orders.publish(topic, { type: 'order.confirmed' });
    await router.publish(topic, { type: 'echo' });
    expect(await atRouter.next(2)).toEqual([{ type: 'order.confirmed' }, { type: 'echo' }]);
    expect(await atOrders.next(2)).toEqual([
      [topic, { type: 'order.confirmed' }],
      [topic, { type: 'echo' }],
    ]);
  });

  it('publishes JSON on `<prefix><topic>` and hears only its own prefix', async () => {
    const pubsub = await connected();
    const otherPrefix = await connected({ prefix: `${PREFIX}other:` });
    const topic = `stock:${randomUUID()}`;
    const box = inbox();
    const stray = inbox();
    await pubsub.subscribe(topic, (message) => box.push(message));
    await otherPrefix.subscribe(topic, (message) => stray.push(message));
    await otherPrefix.subscribePattern('*', (_t, message) => stray.push(message));

    const raw = new Redis(REDIS_URL);
    const seen = inbox<string>();
    raw.on('message', (_channel: string, text: string) => seen.push(text));
    await raw.subscribe(`${PREFIX}${topic}`);
    await pubsub.publish(topic, { onHand: 3 });
    expect(await seen.next(1)).toEqual(['{"onHand":3}']);
    expect(await box.next(1)).toEqual([{ onHand: 3 }]);
    // Another publisher writing the same channel directly is heard too.
    expect(await admin.publish(`${PREFIX}${topic}`, '{"onHand":2}')).toBeGreaterThanOrEqual(2);
    expect(await box.next(2)).toEqual([{ onHand: 3 }, { onHand: 2 }]);
    raw.disconnect();
    await otherPrefix.publish(`marker:${randomUUID()}`, 'own prefix'); // heard by its own pattern
    expect(await stray.next(1)).toEqual(['own prefix']);
  });

  it('logs and drops a message that is not JSON, and goes on', async () => {
    const { logger, lines } = capturingLogger();
    const pubsub = await connected({ logger });
    const topic = `order:${randomUUID()}`;
    const box = inbox();
    await pubsub.subscribe(topic, (message) => box.push(message));
    await admin.publish(`${PREFIX}${topic}`, 'not json {');
    await admin.publish(`${PREFIX}${topic}`, '"fine"');
    expect(await box.next(1)).toEqual(['fine']);
    expect(lines.filter((line) => line.msg === 'pub/sub: dropped a message that is not JSON')).toEqual([
      expect.objectContaining({ level: 40, topic, length: 10 }),
    ]);
  });

  it('holds one Redis subscription per topic or pattern, and releases it when the last listener leaves', async () => {
    const name = `flow-test-${randomUUID()}`;
    const pubsub = await connected({ connectionName: name });
    const topic = `order:${randomUUID()}`;
    const unsubscribes = await Promise.all([
      pubsub.subscribe(topic, () => {}),
      pubsub.subscribe(topic, () => {}),
      pubsub.subscribePattern('org:*', () => {}),
      pubsub.subscribePattern('org:*', () => {}),
    ]);
    const [subscriber] = await clients(`${name}:subscribe`);
    expect(subscriber).toMatchObject({ sub: '1', psub: '1' });
    expect(await clients(`${name}:publish`)).toHaveLength(1);
    await Promise.all(unsubscribes.map((unsubscribe) => unsubscribe()));
    expect((await clients(`${name}:subscribe`))[0]).toMatchObject({ sub: '0', psub: '0' });
  });

  it('waits for its first connection: publishing and subscribing right after construction work', async () => {
    const pubsub = new RedisPubSub({ url: REDIS_URL, logger: silent, prefix: PREFIX });
    open.add(pubsub);
    const topic = `order:${randomUUID()}`;
    const box = inbox();
    const subscribed = pubsub.subscribe(topic, (message) => box.push(message));
    await subscribed;
    await pubsub.publish(topic, 'first');
    expect(await box.next(1)).toEqual(['first']);
  });
});

describe('RedisPubSub: connection lost', () => {
  it('subscribes again after its connection is killed and receives what is published after', async () => {
    const name = `flow-test-${randomUUID()}`;
    const { logger, lines } = capturingLogger();
    let resubscribed = 0;
    let onResubscribed: () => void = () => {};
    const router = await connected({
      connectionName: name,
      logger,
      onResubscribed: () => {
        resubscribed += 1;
        onResubscribed();
      },
    });
    const orders = await connected();
    const topic = `order:${randomUUID()}`;
    const gone = `order:${randomUUID()}`;
    const box = inbox();
    const patterned = inbox<string>();
    await router.subscribe(topic, (message) => box.push(message));
    const unsubscribeGone = await router.subscribe(gone, () => {});
    await router.subscribePattern(`${topic}*`, (t) => patterned.push(t));
    await orders.publish(topic, 'before');
    await box.next(1);

    const [subscriber] = await clients(`${name}:subscribe`);
    const back = new Promise<void>((resolve) => {
      onResubscribed = resolve;
    });
    expect(await admin.client('KILL', 'ID', subscriber!.id!)).toBe(1);
    await unsubscribeGone(); // while the connection is down or coming back: must not be restored
    await back;
    expect(resubscribed).toBe(1);

    await orders.publish(topic, 'after');
    expect(await box.next(2)).toEqual(['before', 'after']);
    expect(await patterned.next(2)).toEqual([topic, topic]);
    const [again] = await clients(`${name}:subscribe`);
    expect(again!.id).not.toBe(subscriber!.id);
    expect(again).toMatchObject({ sub: '1', psub: '1' });
    expect(
      lines.some(
        (line) =>
          line.msg === 'pub/sub: Redis subscriptions restored; messages published meanwhile were lost',
      ),
    ).toBe(true);
    await expect(router.check()).resolves.toBeUndefined();
  });

  it('keeps publishing after its publishing connection is killed', async () => {
    const name = `flow-test-${randomUUID()}`;
    const orders = await connected({ connectionName: name });
    const router = await connected();
    const topic = `order:${randomUUID()}`;
    const box = inbox();
    await router.subscribe(topic, (message) => box.push(message));
    const [publisher] = await clients(`${name}:publish`);
    await admin.client('KILL', 'ID', publisher!.id!);
    await until(async () => (await clients(`${name}:publish`))[0]?.id !== publisher!.id);
    expect(await orders.ready(5000)).toBe(true);
    await orders.publish(topic, 'still here');
    expect(await box.next(1)).toEqual(['still here']);
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('RedisPubSub: Redis unreachable', () => {
  it('refuses fast, says why in check, hides the password and closes fast', async () => {
    const { logger, lines } = capturingLogger();
    const pubsub = new RedisPubSub({ url: `redis://:s3cret@127.0.0.1:${await closedPort()}`, logger });
    open.add(pubsub);
    expect(await pubsub.ready(300)).toBe(false);
    const started = Date.now();
    await expect(pubsub.publish('order:1', 1)).rejects.toThrow(/not connected/);
    await expect(pubsub.subscribe('order:1', () => {})).rejects.toThrow(/not connected/);
    await expect(pubsub.subscribePattern('*', () => {})).rejects.toThrow(/not connected/);
    expect(Date.now() - started).toBeLessThan(100);
    await expect(pubsub.check()).rejects.toThrow(/not connected/);
    expect(JSON.stringify(lines)).not.toContain('s3cret');
    expect(lines.filter((line) => line.level === 40)).toHaveLength(1); // one warning per 30 s
    const closing = Date.now();
    await pubsub.close();
    expect(Date.now() - closing).toBeLessThan(500);
  });
});
