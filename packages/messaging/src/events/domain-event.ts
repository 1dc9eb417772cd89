import { z } from 'zod';
import type { DomainEvent } from './types';

/** The topic exchange of domain events (see this folder's README). */
export const DEFAULT_EVENTS_EXCHANGE = 'flow.events';

/** A routing key: dot-separated words, no wildcard (those belong to bindings). */
const routingKey = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be dot-separated words');

const domainEventSchema = z.object({
  id: z.guid(),
  type: routingKey,
  occurredAt: z.iso.datetime({ offset: true }),
  actor: z.string().nullable(),
  organizationIds: z.array(z.string()),
  data: z.record(z.string(), z.unknown()),
  source: z.string().min(1),
});

export type ParsedDomainEvent = { ok: true; event: DomainEvent } | { ok: false; error: string };

/** Checks what arrived from the broker or the inbox before any handler sees it. */
export function parseDomainEvent(value: unknown): ParsedDomainEvent {
  const result = domainEventSchema.safeParse(value);
  if (result.success) return { ok: true, event: result.data };
  const error = result.error.issues
    .map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`)
    .join('; ');
  return { ok: false, error: `not a domain event: ${error}` };
}

/** Parses a message body: JSON, then the DomainEvent shape. */
export function parseDomainEventJson(body: Buffer | string): ParsedDomainEvent {
  let value: unknown;
  try {
    value = JSON.parse(body.toString());
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  return parseDomainEvent(value);
}

/**
 * AMQP topic matching, so that the no-broker setup routes exactly as RabbitMQ would: `*` is one
 * word, `#` is zero or more words.
 */
export function matchesBinding(pattern: string, key: string): boolean {
  const match = (p: readonly string[], k: readonly string[]): boolean => {
    if (p.length === 0) return k.length === 0;
    const [head, ...rest] = p;
    if (head === '#') return match(rest, k) || (k.length > 0 && match(p, k.slice(1)));
    if (k.length === 0) return false;
    return (head === '*' || head === k[0]) && match(rest, k.slice(1));
  };
  return match(pattern.split('.'), key.split('.'));
}

export const matchesAnyBinding = (patterns: readonly string[], key: string) =>
  patterns.some((pattern) => matchesBinding(pattern, key));
