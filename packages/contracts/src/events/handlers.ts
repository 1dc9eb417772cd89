import type { DomainEventOf, DomainEventType } from './catalog';
import type { UncheckedEvent } from './envelope';
import { parseEvent } from './parse';

/** One handler per event type a consumer handles, each given its typed event. */
export type EventHandlers<Types extends DomainEventType, Result> = {
  [T in Types]: (event: DomainEventOf<T>) => Result;
};

export type HandlingOutcome<Result> =
  { kind: 'unhandled' } | { kind: 'malformed'; error: string } | { kind: 'handled'; result: Result };

/**
 * Parses an event of a type `handlers` handles and runs its handler. `unhandled` for any other
 * type (not parsed at all), `malformed` when the event fails its schema.
 */
export function handleEvent<Types extends DomainEventType, Result>(
  handlers: EventHandlers<Types, Result>,
  event: UncheckedEvent,
): HandlingOutcome<Result> {
  if (!Object.hasOwn(handlers, event.type)) return { kind: 'unhandled' };
  const parsed = parseEvent(event);
  if (!parsed.ok) return { kind: 'malformed', error: parsed.error };
  const handler = handlers[parsed.event.type as Types] as (event: DomainEventOf<Types>) => Result;
  return { kind: 'handled', result: handler(parsed.event as DomainEventOf<Types>) };
}

/** The event types a handler map handles (what its queue must be bound to). */
export const handledTypes = <Types extends DomainEventType>(handlers: EventHandlers<Types, unknown>) =>
  Object.keys(handlers) as Types[];
