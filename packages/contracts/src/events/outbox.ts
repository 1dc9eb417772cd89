// The typed outbox writer every producer uses inside the transaction of its change. The payload's
// type is checked at compile time against the event's schema, and its value again when written:
// an event that its consumers would reject (a malformed id, a fraction where a count belongs)
// then fails the change with it, instead of committing a change whose event is dead-lettered.
import { domainEventSchemas, type DomainEventInputMap, type DomainEventType } from './catalog';
import { describeIssues } from './parse';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A row of a producer's `outbox_events` table (id and occurred_at are the database's). */
export interface OutboxRow {
  type: DomainEventType;
  actor: string | null;
  organizationIds: string[];
  data: JsonObject;
}

export interface EventMeta {
  /** The user who made the change; `service:<name>` for a service; null for the system. */
  actor: string | null;
  /** The organizations that may see the event (duplicates are dropped). */
  organizationIds: readonly string[];
}

/** What recordEvent needs of a transaction: any subgraph's Prisma client has it. */
export interface OutboxTransaction {
  outboxEvent: {
    create(args: { select: { id: true }; data: OutboxRow }): PromiseLike<{ id: string }>;
  };
}

/** What recordEvents needs of a transaction. */
export interface OutboxBatchTransaction {
  outboxEvent: { createMany(args: { data: OutboxRow[] }): PromiseLike<unknown> };
}

/** A producer wrote an event its schema refuses: a bug in the producer, never the caller's input. */
export class InvalidEventError extends Error {
  constructor(type: string, problem: string) {
    super(`invalid ${type} event: ${problem}`);
    this.name = 'InvalidEventError';
  }
}

/** The outbox row of one event, its data checked against the schema of its type. */
export function outboxRow<T extends DomainEventType>(
  type: T,
  data: DomainEventInputMap[T],
  meta: EventMeta,
): OutboxRow {
  const checked = domainEventSchemas[type].safeParse(data);
  if (!checked.success) throw new InvalidEventError(type, describeIssues(checked.error.issues, 'data'));
  return {
    type,
    actor: meta.actor,
    organizationIds: [...new Set(meta.organizationIds)],
    data: checked.data as JsonObject,
  };
}

/** Writes one event to the outbox of `tx`'s subgraph; resolves to its id. */
export async function recordEvent<T extends DomainEventType>(
  tx: OutboxTransaction,
  type: T,
  data: DomainEventInputMap[T],
  meta: EventMeta,
): Promise<{ id: string }> {
  return tx.outboxEvent.create({ select: { id: true }, data: outboxRow(type, data, meta) });
}

/** Writes several events (built with outboxRow) in one statement. */
export async function recordEvents(tx: OutboxBatchTransaction, rows: readonly OutboxRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.outboxEvent.createMany({ data: [...rows] });
}
