// The one contract every PubSub passes (memory and Redis alike). Not a test file by itself:
// pubsub.memory.test.ts and pubsub.redis.test.ts run it against their implementation.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { capturingLogger, inbox } from '@flow/testing';
import { PubSubClosedError, type PubSub } from '../src/pubsub';

export interface PubSubContractOptions {
  /** Makes a connected PubSub logging to `logger`; called once per test. */
  create: (logger: Logger) => Promise<PubSub>;
  kind: 'redis' | 'memory';
}

export function pubSubContract({ create, kind }: PubSubContractOptions): void {
  let pubsub: PubSub;
  let lines: Record<string, unknown>[];
  const topic = (name: string) => `${name}:${randomUUID()}`;

  /** Publishes a marker on a topic of its own and waits for it: whatever was published before has arrived. */
  async function settle() {
    const marker = topic('marker');
    const box = inbox();
    const unsubscribe = await pubsub.subscribe(marker, (message) => box.push(message));
    await pubsub.publish(marker, 'marker');
    await box.next(1);
    await unsubscribe();
  }

  beforeEach(async () => {
    const captured = capturingLogger();
    lines = captured.lines;
    pubsub = await create(captured.logger);
  });

  afterEach(async () => {
    await pubsub.close();
  });

  it('is usable', async () => {
    expect(pubsub.kind).toBe(kind);
    await expect(pubsub.ready(1000)).resolves.toBe(true);
    await expect(pubsub.check()).resolves.toBeUndefined();
  });

  it('delivers to every subscriber of the topic and to none of the other topics', async () => {
    const orders = topic('order');
    const other = topic('order');
    const first = inbox();
    const second = inbox();
    const elsewhere = inbox();
    await pubsub.subscribe(orders, (message) => first.push(message));
    await pubsub.subscribe(orders, (message) => second.push(message));
    await pubsub.subscribe(other, (message) => elsewhere.push(message));
    await pubsub.publish(orders, { type: 'order.placed', n: 1 });
    expect(await first.next(1)).toEqual([{ type: 'order.placed', n: 1 }]);
    expect(await second.next(1)).toEqual([{ type: 'order.placed', n: 1 }]);
    await pubsub.publish(other, 'only here');
    expect(await elsewhere.next(1)).toEqual(['only here']);
    await settle();
    expect(first.received).toHaveLength(1);
    expect(second.received).toHaveLength(1);
  });

  it('delivers a JSON copy of the message, never the object itself', async () => {
    const t = topic('copy');
    const box = inbox();
    await pubsub.subscribe(t, (message) => box.push(message));
    const message = {
      at: new Date('2026-05-01T10:00:00Z'),
      nested: { list: [1, 'two', null] },
      skipped: undefined,
    };
    await pubsub.publish(t, message);
    message.nested.list.push(4);
    const [received] = await box.next(1);
    expect(received).toEqual({ at: '2026-05-01T10:00:00.000Z', nested: { list: [1, 'two', null] } });
    expect(received).not.toBe(message);
    for (const value of [0, '', false, null, ['a']]) await pubsub.publish(t, value);
    expect((await box.next(6)).slice(1)).toEqual([0, '', false, null, ['a']]);
  });

  it('refuses what JSON cannot carry, and an empty topic', async () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    await expect(pubsub.publish('t', undefined)).rejects.toThrow(TypeError);
    await expect(pubsub.publish('t', () => 1)).rejects.toThrow(TypeError);
    await expect(pubsub.publish('t', 10n)).rejects.toThrow(TypeError);
    await expect(pubsub.publish('t', cycle)).rejects.toThrow(TypeError);
    await expect(pubsub.publish('', 1)).rejects.toThrow(RangeError);
    await expect(pubsub.subscribe('', () => {})).rejects.toThrow(RangeError);
  });

  it('keeps the order of each publisher per topic, across topics too', async () => {
    const a = topic('a');
    const b = topic('b');
    const both = inbox<[string, number]>();
    await pubsub.subscribe(a, (message) => both.push(['a', message as number]));
    await pubsub.subscribe(b, (message) => both.push(['b', message as number]));
    // Not awaited one by one: the calls are issued back to back, as a busy publisher would.
    await Promise.all(Array.from({ length: 300 }, (_, i) => pubsub.publish(i % 3 ? a : b, i)));
    const received = await both.next(300);
    expect(received.map(([, n]) => n)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(received.filter(([name]) => name === 'b').map(([, n]) => n)).toEqual(
      Array.from({ length: 100 }, (_, i) => i * 3),
    );
  });

  it('stops delivering once unsubscribed, even a message already on its way', async () => {
    const t = topic('unsubscribe');
    const leaving = inbox();
    const staying = inbox();
    const unsubscribe = await pubsub.subscribe(t, (message) => leaving.push(message));
    await pubsub.subscribe(t, (message) => staying.push(message));
    await pubsub.publish(t, 1);
    await leaving.next(1);
    const inFlight = pubsub.publish(t, 2);
    await unsubscribe();
    await inFlight;
    await pubsub.publish(t, 3);
    expect(await staying.next(3)).toEqual([1, 2, 3]);
    await settle();
    expect(leaving.received).toEqual([1]);
    await expect(unsubscribe()).resolves.toBeUndefined(); // idempotent
  });

  it('treats each subscription on its own, even of the same listener', async () => {
    const t = topic('twice');
    const box = inbox();
    const listener = (message: unknown) => box.push(message);
    const first = await pubsub.subscribe(t, listener);
    const second = await pubsub.subscribe(t, listener);
    await pubsub.publish(t, 'x');
    expect(await box.next(2)).toEqual(['x', 'x']);
    await first();
    await pubsub.publish(t, 'y');
    expect(await box.next(3)).toEqual(['x', 'x', 'y']);
    await second();
    await pubsub.publish(t, 'z');
    await settle();
    expect(box.received).toEqual(['x', 'x', 'y']);
  });

  it('subscribes many listeners at once to one topic, and again after all have left', async () => {
    const t = topic('concurrent');
    const box = inbox<number>();
    const unsubscribes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => pubsub.subscribe(t, () => box.push(i))),
    );
    await pubsub.publish(t, 'all');
    expect([...(await box.next(20))].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await Promise.all(unsubscribes.map((unsubscribe) => unsubscribe()));
    const again = inbox();
    await pubsub.subscribe(t, (message) => again.push(message));
    await pubsub.publish(t, 'back');
    expect(await again.next(1)).toEqual(['back']);
    await settle();
    expect(box.received).toHaveLength(20);
  });

  it('delivers to pattern subscribers every topic with the prefix, naming the topic', async () => {
    const run = randomUUID();
    const orders = inbox<[string, unknown]>();
    const everything = inbox<[string, unknown]>();
    const direct = inbox();
    const unsubscribeOrders = await pubsub.subscribePattern(`${run}:order:*`, (t, m) => orders.push([t, m]));
    await pubsub.subscribePattern('*', (t, m) => {
      if (t.startsWith(run)) everything.push([t, m]);
    });
    await pubsub.subscribe(`${run}:order:1`, (m) => direct.push(m));
    await pubsub.publish(`${run}:order:1`, 'one');
    await pubsub.publish(`${run}:orders`, 'not an order topic');
    await pubsub.publish(`${run}:org:1:orders`, 'org');
    await pubsub.publish(`${run}:order:2`, 'two');
    expect(await everything.next(4)).toEqual([
      [`${run}:order:1`, 'one'],
      [`${run}:orders`, 'not an order topic'],
      [`${run}:org:1:orders`, 'org'],
      [`${run}:order:2`, 'two'],
    ]);
    expect(await orders.next(2)).toEqual([
      [`${run}:order:1`, 'one'],
      [`${run}:order:2`, 'two'],
    ]);
    expect(await direct.next(1)).toEqual(['one']); // a topic and a pattern subscription both receive
    await unsubscribeOrders();
    await pubsub.publish(`${run}:order:3`, 'three');
    await everything.next(5);
    await settle();
    expect(orders.received).toHaveLength(2);
  });

  it('reads every character before the `*` literally', async () => {
    const run = randomUUID();
    const box = inbox<string>();
    await pubsub.subscribePattern(`${run}:a[1]?\\*`, (t) => box.push(t));
    for (const t of [`${run}:a1x`, `${run}:a[1]?\\`, `${run}:a[1]?\\x`, `${run}:a[1]x\\`]) {
      await pubsub.publish(t, 1);
    }
    await settle();
    expect(box.received).toEqual([`${run}:a[1]?\\`, `${run}:a[1]?\\x`]);
  });

  it('refuses a pattern that is not a prefix followed by one `*`', async () => {
    for (const pattern of ['order:', '*order:', 'order:*:x*', '']) {
      await expect(pubsub.subscribePattern(pattern, () => {})).rejects.toThrow(RangeError);
    }
  });

  it('keeps delivering to the other listeners when one throws or rejects, and logs it', async () => {
    const t = topic('throws');
    const box = inbox();
    await pubsub.subscribe(t, () => {
      throw new Error('listener bug');
    });
    await pubsub.subscribe(t, async () => {
      throw new Error('async listener bug');
    });
    await pubsub.subscribePattern(`${t}*`, () => {
      throw new Error('pattern listener bug');
    });
    await pubsub.subscribe(t, (message) => box.push(message));
    await pubsub.publish(t, 1);
    await pubsub.publish(t, 2);
    expect(await box.next(2)).toEqual([1, 2]);
    await settle();
    const failures = lines.filter((line) => line.msg === 'pub/sub listener failed');
    expect(failures).toHaveLength(6);
    expect(failures.map((line) => (line.err as { message: string }).message).sort()).toEqual(
      ['async listener bug', 'listener bug', 'pattern listener bug'].flatMap((m) => [m, m]).sort(),
    );
    expect(failures.every((line) => line.topic === t)).toBe(true);
  });

  it('publishes to a topic nobody listens to', async () => {
    await expect(pubsub.publish(topic('nobody'), { any: 'thing' })).resolves.toBeUndefined();
  });

  it('releases everything on close, and refuses calls after it', async () => {
    const t = topic('close');
    const box = inbox();
    await pubsub.subscribe(t, (message) => box.push(message));
    await pubsub.subscribePattern(`${t}*`, (_t, message) => box.push(message));
    await pubsub.close();
    await expect(pubsub.close()).resolves.toBeUndefined();
    await expect(pubsub.publish(t, 1)).rejects.toThrow(PubSubClosedError);
    await expect(pubsub.subscribe(t, () => {})).rejects.toThrow(PubSubClosedError);
    await expect(pubsub.subscribePattern('*', () => {})).rejects.toThrow(PubSubClosedError);
    await expect(pubsub.check()).rejects.toThrow(PubSubClosedError);
    await expect(pubsub.ready(100)).resolves.toBe(false);
    expect(box.received).toEqual([]);
  });
}
