export * from './types';
export * from './domain-event';
export * from './metrics';
export * from './outbox-relay';
export {
  AmqpConnection,
  BrokerUnavailableError,
  redactAmqpUrl,
  type AmqpConnectionOptions,
} from './amqp-connection';
export * from './amqp-publisher';
export * from './amqp-consumer';
export * from './http-signing';
export * from './http-publisher';
export * from './http-inbox';
export * from './bus';
