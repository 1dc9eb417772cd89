import { outboxRow, recordEvents, type OutboxRow } from '@flow/contracts';
import type { Logger } from '@flow/core';
import type { Reservation } from '../generated/prisma/client';
import type { InventoryPrisma, InventoryTransaction } from '../db';
import {
  RESERVATION_COLUMNS,
  movementRow,
  reservationSnapshot,
  settleReserved,
  stockSnapshot,
} from './stock-store';
import type { StockNotifier } from './stock-notifier';

export interface SweepOptions {
  batchSize: number;
}

/**
 * Expires every HELD reservation whose hold has run out and gives its stock back. Batches are
 * claimed with FOR UPDATE SKIP LOCKED, so several inventory instances sweep side by side without
 * waiting for or double-releasing each other's rows, and a commit or release racing the sweep
 * for the same reservation either wins (the sweep skips it) or finds it EXPIRED.
 * Returns how many reservations it expired.
 */
export async function expireReservations(
  prisma: InventoryPrisma,
  logger: Logger,
  options: SweepOptions,
  notifier: StockNotifier,
): Promise<number> {
  let total = 0;
  for (;;) {
    const expired = await prisma.$transaction((tx) => expireBatch(tx, options.batchSize));
    // Each batch is committed by now: its subscribers can be told before the next batch runs.
    await notifier.changed('stock.expired', expired);
    total += expired.length;
    if (expired.length < options.batchSize) break;
  }
  if (total > 0) logger.info({ expired: total }, 'released expired reservations');
  return total;
}

/** Expires one batch of due holds; returns them. */
async function expireBatch(tx: InventoryTransaction, batchSize: number): Promise<Reservation[]> {
  const due = await tx.$queryRaw<Reservation[]>`
    SELECT ${RESERVATION_COLUMNS} FROM reservations
    WHERE status = 'HELD' AND expires_at <= now()
    ORDER BY expires_at
    LIMIT ${batchSize}
    FOR UPDATE SKIP LOCKED`;
  if (due.length === 0) return [];
  const ids = due.map((r) => r.id);
  await tx.$executeRaw`
    UPDATE reservations
    SET status = 'EXPIRED', closed_at = now(), closed_reason = 'hold expired', updated_at = now()
    WHERE id = ANY(${ids}::uuid[])`;

  // One update per stock row, in key order: two sweepers never lock the same rows in opposite
  // orders, so they cannot deadlock.
  const byStock = new Map<string, Reservation[]>();
  for (const reservation of due) {
    const key = `${reservation.depotId}/${reservation.productId}`;
    byStock.set(key, [...(byStock.get(key) ?? []), reservation]);
  }
  const movements = [];
  const events: OutboxRow[] = [];
  for (const key of [...byStock.keys()].sort()) {
    const group = byStock.get(key)!;
    const total = group.reduce((sum, r) => sum + r.quantity, 0);
    const after = await settleReserved(tx, group[0]!, { reservedDelta: -total, onHandDelta: 0 });
    // One movement per reservation, as if released one after another.
    let reserved = after.reserved + total;
    for (const reservation of group) {
      const before = { onHand: after.onHand, reserved };
      reserved -= reservation.quantity;
      movements.push(
        movementRow({
          kind: 'EXPIRE',
          before,
          after: { ...after, reserved },
          reason: 'hold expired',
          actorId: null,
          reservationId: reservation.id,
        }),
      );
      events.push(
        outboxRow(
          'stock.released',
          {
            ...reservationSnapshot({ ...reservation, status: 'EXPIRED' }),
            reason: 'hold expired',
            stock: stockSnapshot(after),
          },
          { actor: null, organizationIds: [reservation.vendorOrganizationId, reservation.organizationId] },
        ),
      );
    }
  }
  await tx.stockMovement.createMany({ data: movements });
  await recordEvents(tx, events);
  return due;
}

export interface ReservationSweeper {
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/** Runs `sweep` every `intervalSeconds`, one at a time; the timer never keeps the process alive. */
export function startReservationSweeper(
  sweep: () => Promise<number>,
  intervalSeconds: number,
  logger: Logger,
): ReservationSweeper {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = sweep()
      .then(() => undefined)
      .catch((error: unknown) => logger.error({ err: error }, 'reservation expiry sweep failed'))
      .finally(() => {
        running = null;
      });
  }, intervalSeconds * 1000);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
