import type { z } from 'zod';
import {
  domainEventSchemas,
  isDomainEventType,
  type DomainEventType,
  type TypedDomainEvent,
} from './catalog';
import { envelopeSchema, type UncheckedEvent } from './envelope';

export type EventParseResult = { ok: true; event: TypedDomainEvent } | { ok: false; error: string };

/** `data.orderId is missing; occurredAt is not a time`: every problem, named by its path. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], prefix?: string): string {
  return issues
    .map((issue) => [prefix, ...issue.path.map(String)].filter(Boolean).join('.') + ` ${issue.message}`)
    .join('; ');
}

/**
 * Checks an envelope and its data against its type's schema: the one parse a consumer makes
 * before any handler sees the event. Fields the schema does not know are dropped.
 */
export function parseEvent(event: UncheckedEvent): EventParseResult {
  if (!isDomainEventType(event.type)) return { ok: false, error: `unknown event type ${event.type}` };
  const envelope = envelopeSchema.safeParse(event);
  const data = domainEventSchemas[event.type as DomainEventType].safeParse(event.data);
  if (!envelope.success || !data.success) {
    const issues = [
      envelope.success ? '' : describeIssues(envelope.error.issues),
      data.success ? '' : describeIssues(data.error.issues, 'data'),
    ];
    return { ok: false, error: issues.filter(Boolean).join('; ') };
  }
  return { ok: true, event: { ...envelope.data, data: data.data } as TypedDomainEvent };
}
