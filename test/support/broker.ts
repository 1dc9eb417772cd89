// RabbitMQ for an end-to-end test: its own exchange and queue names, so that test files never see
// each other's events, and removal of both at the end.
import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { consumerQueues } from '@flow/messaging';
import { subgraphCatalog } from '@flow/core';

export const AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export interface TestBroker {
  /** The variables that point every process at it. */
  env: Record<string, string>;
  remove: () => Promise<void>;
}

export function brokerForTest(label: string): TestBroker {
  const id = `${label}.${randomUUID().slice(0, 8)}`;
  const exchange = `flow-e2e.${id}.events`;
  const queuePrefix = `flow-e2e.${id}.`;
  return {
    env: { AMQP_URL, EVENTS_EXCHANGE: exchange, EVENTS_QUEUE_PREFIX: queuePrefix },
    remove: async () => {
      const connection = await connect(AMQP_URL);
      try {
        const channel = await connection.createChannel();
        for (const { name, consumes } of subgraphCatalog) {
          if (!consumes) continue;
          for (const queue of Object.values(consumerQueues(name, queuePrefix)))
            await channel.deleteQueue(queue);
        }
        await channel.deleteExchange(exchange);
      } finally {
        await connection.close();
      }
    },
  };
}
