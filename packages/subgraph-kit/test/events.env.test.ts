// The events part of a subgraph's environment, and the bus it leads to.
import pino from 'pino';
import { createSubgraphEventBus } from '@flow/messaging';
import { subgraphCommonConfig, subgraphConfigReader, subgraphEnvironmentShape } from '../src/subgraph-env';

const reader = subgraphConfigReader('orders', subgraphEnvironmentShape('orders', 8005), (env) =>
  subgraphCommonConfig('orders', env),
);

describe('events environment', () => {
  it('defaults to HTTP push, the flow.events exchange and a one-second outbox poll', () => {
    expect(reader.parse({}).events).toEqual({
      amqpUrl: null,
      exchange: 'flow.events',
      queuePrefix: 'flow.',
      outboxIntervalMs: 1000,
    });
  });

  it('takes a RabbitMQ URL, an exchange and an interval', () => {
    const config = reader.parse({
      AMQP_URL: 'amqps://flow:secret@rabbit.internal:5671/flow',
      EVENTS_EXCHANGE: 'flow.events.staging',
      EVENTS_QUEUE_PREFIX: 'staging.',
      OUTBOX_INTERVAL_MS: '250',
    });
    expect(config.events).toEqual({
      amqpUrl: 'amqps://flow:secret@rabbit.internal:5671/flow',
      exchange: 'flow.events.staging',
      queuePrefix: 'staging.',
      outboxIntervalMs: 250,
    });
  });

  it('names every bad variable', () => {
    expect(() =>
      reader.parse({
        AMQP_URL: 'http://rabbit:5672',
        OUTBOX_INTERVAL_MS: '0',
        EVENTS_EXCHANGE: 'x'.repeat(256),
      }),
    ).toThrow(
      /AMQP_URL: must be an amqp:\/\/ or amqps:\/\/ URL[\s\S]*EVENTS_EXCHANGE[\s\S]*OUTBOX_INTERVAL_MS/,
    );
  });

  it('makes the bus the environment asks for', async () => {
    const logger = pino({ level: 'silent' });
    const http = createSubgraphEventBus('orders', reader.parse({}), logger);
    expect(http.kind).toBe('http');
    expect(http.inbox).not.toBeNull();
    await http.close();
    const amqp = createSubgraphEventBus(
      'orders',
      reader.parse({ AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672' }),
      logger,
    );
    expect(amqp.kind).toBe('amqp');
    expect(amqp.inbox).toBeNull();
    await amqp.close();
  });
});
