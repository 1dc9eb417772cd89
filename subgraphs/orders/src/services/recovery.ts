import { randomUUID } from 'node:crypto';
import type { CallContext } from '@flow/subgraph-kit';
import type { IdempotencyKeys, Logger } from '@flow/core';
import type { OrdersPrisma } from '../db';
import { failPendingOrder } from './order-store';
import { placementScope } from './placement-service';
import type { LiveUpdates } from './live-updates';
import type { OrphanHoldSweep } from './orphan-holds';
import type { SettlementService } from './settlement-service';

const BATCH = 50;

export interface RecoveryOptions {
  prisma: OrdersPrisma;
  keys: IdempotencyKeys;
  settlements: SettlementService;
  orphanHolds: OrphanHoldSweep;
  /** Tells subscribers when a closed order is settled at last. */
  live?: LiveUpdates;
  logger: Logger;
  placementGraceSeconds: number;
}

export interface RecoveryReport {
  /** PENDING placements older than the grace period, now FAILED (their process died). */
  abandoned: number;
  /** FAILED placements whose holds and payment are now all undone. */
  compensated: number;
  /** Rejected, cancelled or delivered orders whose stock and money are now settled. */
  settled: number;
  /** Holds in inventory whose order is gone, failed, cancelled or rejected, now released. */
  orphanedHolds: number;
  /** Still not done (a dependency is down): tried again next time. */
  remaining: number;
}

/**
 * Finishes what a request could not: placements whose process died (PENDING too long), placements
 * that failed while a dependency was down (compensationPending), closed orders whose release,
 * void, commit or capture did not go through (settlementPending), and holds in inventory that
 * outlived their order (OrphanHoldSweep). Every step is idempotent, so
 * two instances running this at once, or a run repeating a step, change nothing twice.
 */
export class RecoveryJob {
  constructor(private readonly options: RecoveryOptions) {}

  async runOnce(): Promise<RecoveryReport> {
    const { prisma, settlements } = this.options;
    // Calls as the orders service with no viewer: a background job acts for no user.
    const ctx: CallContext = {
      requestId: `orders-recovery-${randomUUID()}`,
      authorization: null,
      clientAddress: null,
    };
    const graceEnds = new Date(Date.now() - this.options.placementGraceSeconds * 1000);
    const report: RecoveryReport = {
      abandoned: 0,
      compensated: 0,
      settled: 0,
      orphanedHolds: 0,
      remaining: 0,
    };

    const stale = await prisma.order.findMany({
      where: { status: 'PENDING', createdAt: { lt: graceEnds } },
      take: BATCH,
      orderBy: { createdAt: 'asc' },
    });
    for (const order of stale) {
      // Its process died: the system ends it (no actor).
      if (!(await failPendingOrder(prisma, order, { failureCode: 'INTERRUPTED', actorId: null }))) continue;
      report.abandoned += 1;
      // The client's retry with the same key may now run again (it would wait forever otherwise).
      await this.options.keys.abandon(placementScope(order.hospitalOrganizationId), order.idempotencyKey);
      this.options.logger.warn(
        { orderId: order.id, number: order.number },
        'placement interrupted; undoing it',
      );
    }

    const failed = await prisma.order.findMany({
      where: { status: 'FAILED', compensationPending: true },
      take: BATCH,
      orderBy: { createdAt: 'asc' },
    });
    for (const order of failed) {
      const done = await settlements.compensate(ctx, order.id, {
        conclusive: order.createdAt < graceEnds,
        paymentMayExist: true,
      });
      if (done) report.compensated += 1;
      else report.remaining += 1;
    }

    const unsettled = await prisma.order.findMany({
      where: { settlementPending: true, status: { in: ['REJECTED', 'CANCELLED', 'DELIVERED'] } },
      take: BATCH,
      orderBy: { updatedAt: 'asc' },
    });
    for (const order of unsettled) {
      if (await settlements.settle(ctx, order.id)) {
        report.settled += 1;
        await this.options.live?.orderSettled(order);
      } else report.remaining += 1;
    }

    // Last: what the steps above released is no longer HELD, so it is not read again.
    try {
      const orphans = await this.options.orphanHolds.runOnce(ctx);
      report.orphanedHolds = orphans.released;
      report.remaining += orphans.remaining;
    } catch (error) {
      report.remaining += 1;
      this.options.logger.warn({ err: error }, 'orphaned-hold sweep incomplete; will retry');
    }
    return report;
  }
}
