import { outboxRow, recordEvents } from '@flow/contracts';
import { errors, requireText, requireUuid, type Caller } from '@flow/core';
import type { Reservation } from '../generated/prisma/client';
import type { InventoryPrisma, InventoryTransaction } from '../db';
import { MAX_ORDER_HOLD_SECONDS, optionalText, requireHoldSeconds, requireUnits } from './input';
import { changeActor, reservingOrganization, type ChangeActor } from './actor';
import { assertCan, canSee, releaseNeedsReason } from './policy';
import { reservationStatus } from './reservation-status';
import { availableOf } from './stock-math';
import type { StockNotifier } from './stock-notifier';
import {
  availableAt,
  closeHeldReservation,
  insertReservation,
  recordMovement,
  reservationSnapshot,
  reserveIfAvailable,
  settleReserved,
  stockLowEvents,
  stockSnapshot,
} from './stock-store';
import type { StockContext } from './stock-service';

export interface ReserveStockInput {
  depotId: string;
  productId: string;
  quantity: number;
  reference: string;
  /** The organization the hold is for; default the viewer's. */
  organizationId?: string | null;
  holdSeconds?: number | null;
}

export interface HeldReservationsInput {
  olderThanSeconds: number;
  after?: string | null;
  first?: number | null;
}

const MAX_HELD_PAGE = 500;

export class ReservationService {
  constructor(
    private readonly prisma: InventoryPrisma,
    private readonly notifier: StockNotifier,
  ) {}

  /** A reservation the caller may see; null when there is none or it is someone else's. */
  async byId(ctx: StockContext, rawId: string): Promise<Reservation | null> {
    assertCan.readReservations(ctx);
    const reservation = await this.prisma.reservation.findUnique({ where: { id: requireUuid(rawId, 'id') } });
    return this.visible(ctx, reservation);
  }

  /**
   * The reservation an organization holds under `reference`, for whoever may see it (null
   * otherwise). The orders service's recovery uses it to find the hold of a placement that
   * stopped before it stored the reservation's id.
   */
  async byReference(ctx: StockContext, rawOrganizationId: string, rawReference: string) {
    assertCan.readReservations(ctx);
    const organizationId = requireUuid(rawOrganizationId, 'organizationId');
    const reference = requireText(rawReference, 'reference', { max: 200 });
    const reservation = await this.prisma.reservation.findUnique({
      where: { organizationId_reference: { organizationId, reference } },
    });
    return this.visible(ctx, reservation);
  }

  /**
   * HELD holds made at least `olderThanSeconds` ago, by id after `after`: the orders service's
   * recovery pages through them to release those whose order is dead. By id rather than by
   * time, so a page boundary never skips a hold made in the same instant as another.
   */
  async held(ctx: StockContext, input: HeldReservationsInput): Promise<Reservation[]> {
    assertCan.listHeld(ctx);
    if (!Number.isInteger(input.olderThanSeconds) || input.olderThanSeconds < 0)
      throw errors.badUserInput('olderThanSeconds', 'olderThanSeconds must be a whole number, 0 or more.');
    const first = input.first ?? 100;
    if (!Number.isInteger(first) || first < 1 || first > MAX_HELD_PAGE)
      throw errors.badUserInput('first', `first must be from 1 to ${MAX_HELD_PAGE}.`);
    const after =
      input.after === null || input.after === undefined ? null : requireUuid(input.after, 'after');
    return this.prisma.reservation.findMany({
      where: {
        status: 'HELD',
        createdAt: { lte: new Date(Date.now() - input.olderThanSeconds * 1000) },
        ...(after ? { id: { gt: after } } : {}),
      },
      orderBy: { id: 'asc' },
      take: first,
    });
  }

  private visible(caller: Caller, reservation: Reservation | null): Reservation | null {
    return reservation && canSee(caller, reservation) ? reservation : null;
  }

  /**
   * Holds stock for an order line, for the orders service alone (see policy.ts). One transaction: the reservation row (unique per
   * organization and reference) and a conditional update of the stock row that succeeds only
   * if enough is available; when it does not, the transaction rolls back and nothing is held.
   */
  async reserve(ctx: StockContext, input: ReserveStockInput): Promise<Reservation> {
    assertCan.reserve(ctx);
    const organizationId = reservingOrganization(ctx, input.organizationId);
    const actor = changeActor(ctx);
    const key = {
      depotId: requireUuid(input.depotId, 'input.depotId'),
      productId: requireUuid(input.productId, 'input.productId'),
    };
    const quantity = requireUnits(input.quantity, 'input.quantity', 1);
    const reference = requireText(input.reference, 'input.reference', { max: 200 });
    const holdSeconds = requireHoldSeconds(input.holdSeconds, 'input.holdSeconds', MAX_ORDER_HOLD_SECONDS);
    const product = await ctx.loaders.productById.load(key.productId);
    if (!product?.active)
      throw errors.badUserInput('input.productId', 'input.productId is not a product on offer.');

    const result = await this.prisma.$transaction(async (tx) => {
      const created = await insertReservation(tx, {
        ...key,
        reference,
        quantity,
        holdSeconds,
        organizationId,
        createdBy: actor.userId,
      });
      if (!created)
        return {
          reservation: await this.existing(tx, organizationId, key, quantity, reference),
          created: false,
        };

      const stock = await reserveIfAvailable(tx, key, quantity);
      if (!stock) throw await this.outOfStock(tx, key, quantity);
      const before = { ...stock, reserved: stock.reserved - quantity };
      await recordMovement(tx, {
        kind: 'RESERVE',
        before,
        after: stock,
        reason: `reservation ${reference}`,
        actorId: actor.userId,
        reservationId: created.id,
      });
      const low = stockLowEvents(before, stock, actor.event);
      await recordEvents(tx, [
        outboxRow(
          'stock.reserved',
          { ...reservationSnapshot(created), stock: stockSnapshot(stock) },
          { actor: actor.event, organizationIds: [created.vendorOrganizationId, created.organizationId] },
        ),
        ...low,
      ]);
      return { reservation: created, created: true, low: low.length > 0 ? stock : null };
    });
    // The same reference again changed nothing: no notification.
    if (result.created) await this.notifier.changed('stock.reserved', [result.reservation]);
    if (result.low) {
      ctx.logger.warn(
        { ...key, available: availableOf(result.low), reorderLevel: result.low.reorderLevel },
        'stock low',
      );
    }
    return result.reservation;
  }

  /** Ships held stock: on hand and reserved both drop. Committing twice returns the same. */
  async commit(ctx: StockContext, rawId: string): Promise<Reservation> {
    assertCan.commit(ctx);
    const id = await this.requireExisting(rawId);
    const { reservation, changed } = await this.prisma.$transaction(async (tx) => {
      const closed = await closeHeldReservation(tx, id, 'COMMITTED', {
        reason: null,
        requireUnexpired: true,
      });
      if (!closed) {
        const latest = await tx.reservation.findUniqueOrThrow({ where: { id } });
        if (latest.status === 'COMMITTED') return { reservation: latest, changed: false };
        // Still HELD: past its expiry, not yet swept.
        if (latest.status === 'HELD')
          throw errors.conflict('The hold has expired; reserve again.', { status: 'EXPIRED' });
        throw reservationStatus.refusal(latest.status, 'COMMITTED');
      }
      await this.settle(tx, changeActor(ctx), closed, 'COMMIT');
      return { reservation: closed, changed: true };
    });
    if (changed) await this.notifier.changed('stock.committed', [reservation]);
    return reservation;
  }

  /**
   * Gives held stock back, for the orders service and (with a reason) platform admins. Releasing
   * twice (or after expiry) returns the reservation as it is.
   */
  async release(
    ctx: StockContext,
    rawId: string,
    rawReason: string | null | undefined,
  ): Promise<Reservation> {
    assertCan.release(ctx);
    const reason = optionalText(rawReason, 'reason', 500);
    // An operator's release must be explained: it may undo a live order's hold.
    if (!reason && releaseNeedsReason(ctx))
      throw errors.badUserInput('reason', 'reason is required when a platform admin releases a hold.');
    const id = await this.requireExisting(rawId);
    const { reservation, changed } = await this.prisma.$transaction(async (tx) => {
      const closed = await closeHeldReservation(tx, id, 'RELEASED', { reason, requireUnexpired: false });
      if (!closed) {
        const latest = await tx.reservation.findUniqueOrThrow({ where: { id } });
        if (latest.status === 'RELEASED' || latest.status === 'EXPIRED')
          return { reservation: latest, changed: false };
        throw reservationStatus.refusal(latest.status, 'RELEASED');
      }
      await this.settle(tx, changeActor(ctx), closed, 'RELEASE');
      return { reservation: closed, changed: true };
    });
    if (changed) await this.notifier.changed('stock.released', [reservation]);
    return reservation;
  }

  private async requireExisting(rawId: string): Promise<string> {
    const id = requireUuid(rawId, 'id');
    const reservation = await this.prisma.reservation.findUnique({ where: { id }, select: { id: true } });
    if (!reservation) throw errors.notFound('Reservation', id);
    return id;
  }

  /** The stock side of a commit or release, its movement and its event. */
  private async settle(
    tx: InventoryTransaction,
    actor: ChangeActor,
    reservation: Reservation,
    kind: 'COMMIT' | 'RELEASE',
  ): Promise<void> {
    const q = reservation.quantity;
    const after = await settleReserved(tx, reservation, {
      reservedDelta: -q,
      onHandDelta: kind === 'COMMIT' ? -q : 0,
    });
    await recordMovement(tx, {
      kind,
      before: { onHand: after.onHand + (kind === 'COMMIT' ? q : 0), reserved: after.reserved + q },
      after,
      reason: reservation.closedReason ?? `reservation ${reservation.reference}`,
      actorId: actor.userId,
      reservationId: reservation.id,
    });
    await recordEvents(tx, [
      outboxRow(
        kind === 'COMMIT' ? 'stock.committed' : 'stock.released',
        {
          ...reservationSnapshot(reservation),
          reason: reservation.closedReason,
          stock: stockSnapshot(after),
        },
        {
          actor: actor.event,
          organizationIds: [reservation.vendorOrganizationId, reservation.organizationId],
        },
      ),
    ]);
  }

  /** The same reference again: the same reservation if it asks for the same, else CONFLICT. */
  private async existing(
    tx: InventoryTransaction,
    organizationId: string,
    key: { depotId: string; productId: string },
    quantity: number,
    reference: string,
  ): Promise<Reservation> {
    const found = await tx.reservation.findUnique({
      where: { organizationId_reference: { organizationId, reference } },
    });
    // No reservation under this reference, yet nothing was inserted: there is no stock row.
    if (!found) throw await this.outOfStock(tx, key, quantity);
    if (found.depotId !== key.depotId || found.productId !== key.productId || found.quantity !== quantity) {
      throw errors.conflict(
        'input.reference was already used for a different reservation (depot, product or quantity).',
        { field: 'input.reference', reservationId: found.id },
      );
    }
    return found;
  }

  private async outOfStock(
    tx: InventoryTransaction,
    key: { depotId: string; productId: string },
    quantity: number,
  ) {
    const available = await availableAt(tx, key);
    return errors.outOfStock(`Only ${available} available; ${quantity} requested.`, {
      available,
      requested: quantity,
      depotId: key.depotId,
      productId: key.productId,
    });
  }
}
