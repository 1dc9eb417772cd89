import type { CallContext } from '@flow/subgraph-kit';
import type { Logger } from '@flow/core';
import type { OrderStatus } from '../generated/prisma/client';
import type { OrdersPrisma } from '../db';
import type { OrdersDependencies } from './dependencies';
import { orderIdOfReference } from './settlement-service';

/** Holds read from inventory per call, and calls per run (a rolling cursor covers the rest). */
const PAGE = 200;
const PAGES_PER_RUN = 10;

/** Order states whose holds must all be back in stock (DELIVERED ones are committed instead). */
const DEAD: ReadonlySet<OrderStatus> = new Set<OrderStatus>(['FAILED', 'CANCELLED', 'REJECTED']);

/**
 * Why a HELD hold has no live order behind it, or null when it has one. Not an order's
 * reference: not made by a placement at all (stock is held only for orders). No such order, or
 * one that failed, was cancelled or was rejected: nothing will ever commit it.
 */
export function orphanReason(reference: string, status: OrderStatus | undefined): string | null {
  const orderId = orderIdOfReference(reference);
  if (!orderId) return 'no order behind this hold';
  if (status === undefined) return `order ${orderId} does not exist`;
  if (DEAD.has(status)) return `order ${orderId} ${status.toLowerCase()}`;
  return null;
}

export interface OrphanSweepReport {
  released: number;
  /** Orphans whose release failed (inventory down): found again on a later run. */
  remaining: number;
}

/**
 * Releases holds that outlive their order. The saga and the recovery job release every hold
 * they know of; this finds the ones they cannot know of: a hold that landed after a conclusive
 * "nothing held" (a reserve slower than the grace period), one whose release was lost with the
 * orders database, one made before stock was held only for orders. Each would keep its stock
 * from every other hospital until it expires, up to seven days later.
 *
 * Why orders asks inventory, rather than inventory asking orders or following order events:
 * only orders knows whether an order is alive, its recovery job already owns every other undo of
 * the saga, and the call goes the way the saga's calls go (orders to inventory), so inventory
 * keeps treating references as opaque and the two never depend on each other both ways. Order
 * events would miss the placement that died (nothing is published for it) and a hold that lands
 * after its order's event.
 *
 * Safe against a placement in progress: an order's row is written (PENDING) before any of its
 * holds, and PENDING orders are left to the recovery job's grace period; inventory also lists
 * only holds older than that grace. Releasing is idempotent, so two orders instances sweeping
 * at once, or a sweep racing a compensation, release nothing twice.
 */
export class OrphanHoldSweep {
  private cursor: string | null = null;

  constructor(
    private readonly prisma: OrdersPrisma,
    private readonly dependencies: OrdersDependencies,
    private readonly logger: Logger,
    private readonly graceSeconds: number,
  ) {}

  async runOnce(ctx: CallContext): Promise<OrphanSweepReport> {
    const report: OrphanSweepReport = { released: 0, remaining: 0 };
    for (let page = 0; page < PAGES_PER_RUN; page++) {
      const holds = await this.dependencies.heldReservations(ctx, {
        olderThanSeconds: this.graceSeconds,
        after: this.cursor,
        first: PAGE,
      });
      await this.releaseOrphans(ctx, holds, report);
      // Past the last hold: the next run starts over from the first.
      this.cursor = holds.length < PAGE ? null : holds.at(-1)!.id;
      if (this.cursor === null) break;
    }
    return report;
  }

  private async releaseOrphans(
    ctx: CallContext,
    holds: { id: string; reference: string }[],
    report: OrphanSweepReport,
  ) {
    const orderIds = [...new Set(holds.map((h) => orderIdOfReference(h.reference)).filter((id) => !!id))];
    const orders = await this.prisma.order.findMany({
      where: { id: { in: orderIds as string[] } },
      select: { id: true, status: true },
    });
    const statusOf = new Map(orders.map((o) => [o.id, o.status]));
    for (const hold of holds) {
      const orderId = orderIdOfReference(hold.reference);
      const reason = orphanReason(hold.reference, orderId ? statusOf.get(orderId) : undefined);
      if (!reason) continue;
      try {
        await this.dependencies.releaseReservation(ctx, hold.id, reason);
        report.released += 1;
        this.logger.warn(
          { requestId: ctx.requestId, reservationId: hold.id, reference: hold.reference, reason },
          'released a hold that outlived its order',
        );
      } catch (error) {
        report.remaining += 1;
        this.logger.warn(
          { requestId: ctx.requestId, reservationId: hold.id, err: error },
          'could not release an orphaned hold; will retry',
        );
      }
    }
  }
}
