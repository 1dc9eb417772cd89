import { envelopeSchema, describeIssues, type UncheckedEvent } from '@flow/contracts';
import type { Logger } from '@flow/core';
import type { AdminPrisma } from '../db';
import { applyProjections } from './projection-store';
import { MalformedEventError, projectionsOf } from './projections';

/** What handling one delivery of an event did. */
export type RecordOutcome = { kind: 'recorded'; projections: number } | { kind: 'duplicate' };

/**
 * The idempotent consumer of every domain event: the event goes into the audit log and the
 * statistics projections in one transaction, claimed by its id (the audit row's primary key). A
 * redelivery, even concurrent with the first copy, finds the id and changes nothing; a failed
 * transaction claims nothing, so a retry starts clean.
 */
export class AuditRecorder {
  constructor(
    private readonly prisma: AdminPrisma,
    private readonly logger: Logger,
  ) {}

  /** The platform's DomainEventHandler, bound (pass it as is). */
  readonly handle = async (event: UncheckedEvent): Promise<void> => {
    await this.record(event);
  };

  async record(event: UncheckedEvent): Promise<RecordOutcome> {
    const envelope = envelopeSchema.safeParse(event);
    if (!envelope.success) throw new MalformedEventError(event, describeIssues(envelope.error.issues));
    // null: a type this build does not know (a newer producer). The log keeps it all the same,
    // and a rebuild after the upgrade counts it.
    const projections = projectionsOf(event) ?? [];
    const { id, type, source, actor, organizationIds, occurredAt } = envelope.data;
    const eventId = id.toLowerCase();
    const claimed = await this.prisma.$transaction(async (tx) => {
      const inserted = await tx.$executeRaw`
        INSERT INTO audit_events (id, type, source, actor, organization_ids, occurred_at, data)
        VALUES (${eventId}::uuid, ${type}, ${source}, ${actor}, ${[...new Set(organizationIds.map((o) => o.toLowerCase()))]}::uuid[],
          ${new Date(occurredAt)}::timestamptz, ${JSON.stringify(event.data)}::jsonb)
        ON CONFLICT (id) DO NOTHING`;
      if (inserted === 0) return false;
      await applyProjections(tx, projections);
      return true;
    });
    if (!claimed) {
      this.logger.debug({ eventId, type }, 'event already recorded');
      return { kind: 'duplicate' };
    }
    return { kind: 'recorded', projections: projections.length };
  }
}
