import type { Logger } from '@flow/core';
import type { AdminPrisma } from '../db';
import { applyProjections } from './projection-store';
import { projectionsOf } from './projections';

/** The tables made from the audit log: what a rebuild empties and makes again. */
export const PROJECTION_TABLES = ['order_facts', 'placement_failures'] as const;

export interface RebuildReport {
  /** Events of the audit log read. */
  events: number;
  /** Of those, events that failed their type's schema now (left out, each logged). */
  skipped: number;
}

const BATCH = 500;

/**
 * Makes the statistics projections again from the audit log, in one transaction: readers see the
 * old figures until it commits, then the new ones. Live events wait on the projections' lock
 * meanwhile (their audit row and projection commit together), so none is lost or counted twice:
 * one committed before the lock is in the log the rebuild reads, one after applies on top.
 */
export async function rebuildProjections(
  prisma: AdminPrisma,
  logger: Logger,
  options: { timeoutMs?: number } = {},
): Promise<RebuildReport> {
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`LOCK TABLE ${PROJECTION_TABLES.join(', ')} IN EXCLUSIVE MODE`);
      for (const table of PROJECTION_TABLES) await tx.$executeRawUnsafe(`DELETE FROM ${table}`);
      const report: RebuildReport = { events: 0, skipped: 0 };
      let after: { occurredAt: Date; id: string } | null = null;
      for (;;) {
        const batch: Awaited<ReturnType<typeof tx.auditEvent.findMany>> = await tx.auditEvent.findMany({
          where: after
            ? {
                OR: [
                  { occurredAt: { gt: after.occurredAt } },
                  { occurredAt: after.occurredAt, id: { gt: after.id } },
                ],
              }
            : {},
          orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
          take: BATCH,
        });
        for (const row of batch) {
          report.events += 1;
          let projections;
          try {
            projections = projectionsOf({
              id: row.id,
              type: row.type,
              source: row.source,
              actor: row.actor,
              organizationIds: row.organizationIds,
              occurredAt: row.occurredAt.toISOString(),
              data: row.data as Record<string, unknown>,
            });
          } catch (error) {
            report.skipped += 1;
            logger.warn({ eventId: row.id, type: row.type, err: error }, 'rebuild: event left out');
            continue;
          }
          await applyProjections(tx, projections ?? []);
        }
        if (batch.length < BATCH) break;
        const last = batch[batch.length - 1]!;
        after = { occurredAt: last.occurredAt, id: last.id };
      }
      return report;
    },
    { timeout: options.timeoutMs ?? 30 * 60_000, maxWait: 10_000 },
  );
}
