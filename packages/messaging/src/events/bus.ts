import type { Logger } from '@flow/core';
import { subgraphCatalog, type SubgraphCatalogEntry } from '@flow/core';
import { AmqpConnection, redactAmqpUrl } from './amqp-connection';
import { AmqpConsumer } from './amqp-consumer';
import { AmqpPublisher } from './amqp-publisher';
import { DEFAULT_EVENTS_EXCHANGE } from './domain-event';
import { createEventInbox } from './http-inbox';
import { HttpEventPublisher, type HttpEventTarget } from './http-publisher';
import { eventInboxUrl } from './http-signing';
import type { EventBus, EventConsumerOptions } from './types';

export interface EventBusOptions {
  /** This subgraph: the producer named on what it publishes. */
  source: string;
  logger: Logger;
  /** amqp:// or amqps://: RabbitMQ. None: HTTP push between the subgraphs. */
  amqpUrl?: string | null;
  /** The topic exchange (default flow.events). */
  exchange?: string;
  /** Prefix of consumer queue names (default `flow.`). */
  queuePrefix?: string;
  /** Without a broker: signs the pushes, and checks those that reach this process's inbox. */
  secret: string;
  /** Without a broker: the consumers to push to (see httpEventTargets). */
  httpTargets?: readonly HttpEventTarget[];
  /** Without a broker: deadline of one push (default 10 s). */
  httpTimeoutMs?: number;
  /** RabbitMQ reconnection backoff and handshake deadline. */
  amqp?: { minBackoffMs?: number; maxBackoffMs?: number; connectTimeoutMs?: number };
}

/** The consumers of the catalog (those with `consumes`), at their inboxes next to their GraphQL URLs. */
export function httpEventTargets(
  subgraphUrls: Record<string, string>,
  catalog: readonly SubgraphCatalogEntry[] = subgraphCatalog,
): HttpEventTarget[] {
  return catalog.flatMap((entry) => {
    const url = subgraphUrls[entry.name];
    return entry.consumes?.length && url
      ? [{ consumer: entry.name, inboxUrl: eventInboxUrl(url), bindings: entry.consumes }]
      : [];
  });
}

/** The routing-key patterns a subgraph consumes, from the catalog. */
export function consumedEventTypes(name: string): readonly string[] {
  return subgraphCatalog.find((entry) => entry.name === name)?.consumes ?? [];
}

export function createEventBus(options: EventBusOptions): EventBus {
  return options.amqpUrl ? amqpEventBus({ ...options, amqpUrl: options.amqpUrl }) : httpEventBus(options);
}

/** What a subgraph's event bus reads of its configuration (its parsed environment has it). */
export interface SubgraphBusConfig {
  events: { amqpUrl: string | null; exchange: string; queuePrefix: string };
  routerSecret: string;
  subgraphUrls: Record<string, string>;
}

/** The bus of a subgraph from its parsed environment (AMQP_URL, EVENTS_EXCHANGE, subgraph URLs). */
export function createSubgraphEventBus(name: string, config: SubgraphBusConfig, logger: Logger): EventBus {
  return createEventBus({
    source: name,
    logger,
    amqpUrl: config.events.amqpUrl,
    exchange: config.events.exchange,
    queuePrefix: config.events.queuePrefix,
    secret: config.routerSecret,
    httpTargets: httpEventTargets(config.subgraphUrls),
  });
}

function amqpEventBus(options: EventBusOptions & { amqpUrl: string }): EventBus {
  const logger = options.logger.child({ component: 'events' });
  const exchange = options.exchange ?? DEFAULT_EVENTS_EXCHANGE;
  const connection = new AmqpConnection({
    url: options.amqpUrl,
    logger,
    connectionName: `flow-${options.source}`,
    ...options.amqp,
  });
  const publisher = new AmqpPublisher({ connection, exchange, source: options.source, logger });
  const consumers: AmqpConsumer[] = [];
  logger.info({ broker: redactAmqpUrl(options.amqpUrl), exchange }, 'events: RabbitMQ');
  return {
    kind: 'amqp',
    publisher,
    inbox: null,
    async consume(consumerOptions: EventConsumerOptions) {
      const consumer = new AmqpConsumer({
        ...consumerOptions,
        connection,
        exchange,
        queuePrefix: options.queuePrefix,
        logger,
      });
      consumers.push(consumer);
      await consumer.begin();
    },
    async check() {
      await connection.check();
      await Promise.all(consumers.map((consumer) => consumer.check()));
    },
    async close() {
      await Promise.all(consumers.map((consumer) => consumer.stop()));
      await publisher.close();
      await connection.close();
    },
  };
}

function httpEventBus(options: EventBusOptions): EventBus {
  const logger = options.logger.child({ component: 'events' });
  const targets = options.httpTargets ?? [];
  const publisher = new HttpEventPublisher({
    source: options.source,
    secret: options.secret,
    targets,
    logger,
    timeoutMs: options.httpTimeoutMs,
  });
  const inbox = createEventInbox({ secret: options.secret, logger });
  logger.debug({ consumers: targets.map((t) => t.consumer) }, 'events: pushed over HTTP (no broker)');
  return {
    kind: 'http',
    publisher,
    inbox,
    async consume(consumerOptions: EventConsumerOptions) {
      inbox.register(consumerOptions);
    },
    async check() {},
    async close() {
      inbox.close();
      await publisher.close();
    },
  };
}
