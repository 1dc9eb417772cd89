// Every domain event type and the schema of its `data`: the source of truth for producers (the
// outbox writer checks against it) and consumers (parseEvent). Adding an event type starts here.
import type { z } from 'zod';
import type { EventEnvelope } from './envelope';
import { inventoryEventSchemas } from './inventory';
import { orderEventSchemas } from './orders';
import { organizationEventSchemas } from './organizations';
import { paymentEventSchemas } from './payments';
import { reviewEventSchemas } from './reviews';

export const domainEventSchemas = {
  ...organizationEventSchemas,
  ...orderEventSchemas,
  ...inventoryEventSchemas,
  ...paymentEventSchemas,
  ...reviewEventSchemas,
};

type Schemas = typeof domainEventSchemas;

export type DomainEventType = keyof Schemas;

/** Event type -> its `data` as a consumer reads it. */
export type DomainEventMap = { [T in DomainEventType]: z.output<Schemas[T]> };

/** Event type -> its `data` as a producer writes it. */
export type DomainEventInputMap = { [T in DomainEventType]: z.input<Schemas[T]> };

export type DomainEventData<T extends DomainEventType> = DomainEventMap[T];

/** One event of type T: the envelope, the literal type and its typed data. */
export type DomainEventOf<T extends DomainEventType> = Omit<EventEnvelope, 'type'> & {
  type: T;
  data: DomainEventMap[T];
};

/** Every domain event, discriminated by `type`. */
export type TypedDomainEvent = { [T in DomainEventType]: DomainEventOf<T> }[DomainEventType];

type PrefixOf<T> = T extends `${infer Prefix}.${string}` ? Prefix : never;

/**
 * What a consumer binds its queue to: an event type, `<prefix>.*` for every type of a prefix, or
 * `#` for every type there is (RabbitMQ's topic wildcard), including types added later: its
 * handler map then fails to compile until it handles the new type.
 */
export type EventBinding = DomainEventType | `${PrefixOf<DomainEventType>}.*` | '#';

/** The event types a binding stands for: `order.*` is every `order.` type, `#` every type. */
export type EventTypesOf<Binding extends string> = Binding extends '#'
  ? DomainEventType
  : Binding extends `${infer Prefix}.*`
    ? Extract<DomainEventType, `${Prefix}.${string}`>
    : Extract<Binding, DomainEventType>;

export const DOMAIN_EVENT_TYPES = Object.keys(domainEventSchemas) as DomainEventType[];

/** The subgraph that writes each event type (a consumer may refuse one from anyone else). */
export const EVENT_PRODUCERS = Object.fromEntries(
  Object.entries({
    users: organizationEventSchemas,
    orders: orderEventSchemas,
    inventory: inventoryEventSchemas,
    payments: paymentEventSchemas,
    reviews: reviewEventSchemas,
  }).flatMap(([producer, schemas]) => Object.keys(schemas).map((type) => [type, producer])),
) as Record<DomainEventType, string>;

export const isDomainEventType = (type: string): type is DomainEventType =>
  Object.hasOwn(domainEventSchemas, type);
