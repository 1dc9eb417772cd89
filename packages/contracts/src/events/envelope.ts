import { z } from 'zod';
import { anyText, timestamp, uuid } from './fields';

/**
 * What every domain event carries around its `data`, as the outbox relay publishes it: `id` (the
 * outbox row, the consumers' deduplication key), `type` (the routing key), `occurredAt`, `actor`
 * (a user id, `service:<name>`, or null for the system), `organizationIds` (who may see it) and
 * `source` (the producing subgraph).
 */
export const envelopeSchema = z.object({
  id: uuid(),
  type: anyText(),
  occurredAt: timestamp(),
  actor: anyText().nullable(),
  organizationIds: z.array(uuid(), { error: 'is not a list of uuids' }),
  source: anyText(),
});

export type EventEnvelope = z.output<typeof envelopeSchema>;

/** An envelope as it arrives, its data not yet checked against its type's schema. */
export interface UncheckedEvent {
  id: string;
  type: string;
  occurredAt: string;
  actor?: string | null;
  organizationIds: string[];
  data: Record<string, unknown>;
  source?: string;
}
