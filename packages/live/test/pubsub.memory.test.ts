import pino from 'pino';
import { createPubSub, MemoryPubSub, RedisPubSub } from '../src/pubsub';
import { pubSubContract } from './pubsub.contract';

const silent = pino({ level: 'silent' });

describe('MemoryPubSub: the shared contract', () => {
  pubSubContract({ create: async (logger) => new MemoryPubSub({ logger }), kind: 'memory' });
});

describe('MemoryPubSub: in process', () => {
  it('never runs a listener inside the publish call', async () => {
    const pubsub = new MemoryPubSub({ logger: silent });
    const received: unknown[] = [];
    await pubsub.subscribe('t', (message) => received.push(message));
    const publishing = pubsub.publish('t', 1);
    expect(received).toEqual([]);
    await publishing;
    await Promise.resolve();
    expect(received).toEqual([1]);
    await pubsub.close();
  });

  it('forgets topics and patterns nobody listens to any more', async () => {
    const pubsub = new MemoryPubSub({ logger: silent });
    const unsubscribes = await Promise.all([
      pubsub.subscribe('a', () => {}),
      pubsub.subscribe('a', () => {}),
      pubsub.subscribe('b', () => {}),
      pubsub.subscribePattern('a*', () => {}),
    ]);
    expect(pubsub.size).toBe(4);
    await Promise.all(unsubscribes.map((unsubscribe) => unsubscribe()));
    expect(pubsub.size).toBe(0);
    expect((pubsub as unknown as { topics: Map<string, unknown> }).topics.size).toBe(0);
    expect((pubsub as unknown as { patterns: Map<string, unknown> }).patterns.size).toBe(0);
    await pubsub.close();
  });
});

describe('createPubSub', () => {
  it('is in-process without a Redis URL', async () => {
    for (const redisUrl of [undefined, '']) {
      const pubsub = createPubSub({ redisUrl, logger: silent });
      expect(pubsub).toBeInstanceOf(MemoryPubSub);
      expect(pubsub.kind).toBe('memory');
      await pubsub.close();
    }
  });

  it('is Redis with one, under the given prefix', async () => {
    const pubsub = createPubSub({ redisUrl: 'redis://127.0.0.1:6379', prefix: 'p:', logger: silent });
    expect(pubsub).toBeInstanceOf(RedisPubSub);
    expect(pubsub.kind).toBe('redis');
    expect((pubsub as RedisPubSub).prefix).toBe('p:');
    await pubsub.close();
  });
});
