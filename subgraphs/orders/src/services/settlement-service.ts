import type { GraphQLError } from 'graphql';
import { ErrorCode, type Logger } from '@flow/core';
import { type CallContext } from '@flow/subgraph-kit';
import type { Order, OrderItem } from '../generated/prisma/client';
import type { OrdersPrisma } from '../db';
import type { OrdersDependencies } from './dependencies';

/** The inventory reference of an order line's hold: unique per hospital, so a retry finds it. */
export const reservationReference = (orderId: string, lineNo: number) => `order:${orderId}:${lineNo}`;
const RESERVATION_REFERENCE =
  /^order:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):[1-9]\d*$/;
/** The order a reservationReference names; null for any other reference. */
export const orderIdOfReference = (reference: string): string | null =>
  RESERVATION_REFERENCE.exec(reference)?.[1] ?? null;
/** payments idempotency keys of an order's money movements: one of each per order, ever. */
export const paymentKey = (orderId: string, step: 'authorize' | 'capture' | 'void' | 'refund') =>
  `order:${orderId}:${step}`;

const LIVE_PAYMENT = new Set(['AUTHORIZED', 'INVOICED']);
const codeOf = (error: unknown) => (error as GraphQLError | undefined)?.extensions?.code;

export interface CompensationKnowledge {
  /**
   * "Found nothing" is final: the placement is older than the grace period (no slow call can
   * still land) or every call it made got a definite answer.
   */
  conclusive: boolean;
  /** The placement got as far as asking payments (and not a definite "declined"). */
  paymentMayExist: boolean;
}

type OrderWithItems = Order & { items: OrderItem[] };

/**
 * The other subgraphs' side of an order: undo what a failed placement held (compensation), and
 * finish what a rejection, cancellation or delivery owes (settlement). Every step is idempotent
 * (release and commit are idempotent in inventory; void, capture and refund run under per-order
 * keys in payments), so the recovery job may repeat any of it after a failure or a crash.
 */
export class SettlementService {
  constructor(
    private readonly prisma: OrdersPrisma,
    private readonly dependencies: OrdersDependencies,
    private readonly logger: Logger,
  ) {}

  /** Releases every hold and voids any live payment of a FAILED placement. True when nothing is left held. */
  async compensate(ctx: CallContext, orderId: string, knowledge: CompensationKnowledge): Promise<boolean> {
    const order = await this.prisma.order.findUniqueOrThrow({
      where: { id: orderId },
      // Line by line in order: a line whose hold cannot be settled stops the rest (retried later).
      include: { items: { orderBy: { lineNo: 'asc' } } },
    });
    try {
      const released = await this.releaseAll(ctx, order, `order ${order.number} was not placed`, knowledge);
      const voided = knowledge.paymentMayExist ? await this.voidLivePayment(ctx, order, knowledge) : true;
      if (!released || !voided) return false;
      await this.prisma.order.updateMany({
        where: { id: order.id, status: 'FAILED' },
        data: { compensationPending: false },
      });
      return true;
    } catch (error) {
      this.logger.warn(
        { requestId: ctx.requestId, orderId, err: error },
        'compensation incomplete; will retry',
      );
      return false;
    }
  }

  /**
   * What a closed order owes the other subgraphs: stock committed and payment captured at
   * delivery; stock released and payment voided (or refunded, if it was captured) at rejection
   * or cancellation. True when done; otherwise settlementPending stays set for the recovery job.
   */
  async settle(ctx: CallContext, orderId: string): Promise<boolean> {
    const order = await this.prisma.order.findUniqueOrThrow({
      where: { id: orderId },
      include: { items: { orderBy: { lineNo: 'asc' } } },
    });
    if (!order.settlementPending) return true;
    try {
      if (order.status === 'DELIVERED') await this.deliver(ctx, order);
      else await this.undo(ctx, order);
      await this.prisma.order.update({ where: { id: order.id }, data: { settlementPending: false } });
      return true;
    } catch (error) {
      this.logger.warn(
        { requestId: ctx.requestId, orderId, status: order.status, code: codeOf(error), err: error },
        'settlement incomplete; the recovery job will retry',
      );
      return false;
    }
  }

  private async deliver(ctx: CallContext, order: OrderWithItems) {
    for (const line of order.items) {
      if (line.reservationId) await this.dependencies.commitReservation(ctx, line.reservationId);
    }
    if (order.paymentId)
      await this.dependencies.capturePayment(ctx, order.paymentId, paymentKey(order.id, 'capture'));
  }

  private async undo(ctx: CallContext, order: OrderWithItems) {
    const reason = `order ${order.number} ${order.status.toLowerCase()}`;
    await this.releaseAll(ctx, order, reason, { conclusive: true, paymentMayExist: true });
    if (!order.paymentId) return;
    try {
      await this.dependencies.voidPayment(ctx, order.paymentId, paymentKey(order.id, 'void'));
    } catch (error) {
      // Already captured (it cannot be voided): give the money back instead.
      if (codeOf(error) !== ErrorCode.CONFLICT) throw error;
      await this.dependencies.refundPayment(
        ctx,
        order.paymentId,
        { amountMinor: order.totalMinor, currency: order.currency },
        reason,
        paymentKey(order.id, 'refund'),
      );
    }
  }

  /** True when every line's hold is released or known never to have been made. */
  private async releaseAll(
    ctx: CallContext,
    order: OrderWithItems,
    reason: string,
    knowledge: CompensationKnowledge,
  ): Promise<boolean> {
    let complete = true;
    for (const line of order.items) {
      let reservationId = line.reservationId;
      if (!reservationId) {
        const found = await this.dependencies.reservationByReference(
          ctx,
          order.hospitalOrganizationId,
          reservationReference(order.id, line.lineNo),
        );
        if (!found) {
          if (!knowledge.conclusive) complete = false;
          continue;
        }
        reservationId = found.id;
      }
      await this.dependencies.releaseReservation(ctx, reservationId, reason);
    }
    return complete;
  }

  private async voidLivePayment(ctx: CallContext, order: Order, knowledge: CompensationKnowledge) {
    const payment = await this.dependencies.paymentOfOrder(ctx, order.id);
    if (!payment) return knowledge.conclusive;
    if (LIVE_PAYMENT.has(payment.status))
      await this.dependencies.voidPayment(ctx, payment.id, paymentKey(order.id, 'void'));
    else if (payment.status !== 'FAILED' && payment.status !== 'VOIDED')
      this.logger.error(
        { requestId: ctx.requestId, orderId: order.id, paymentId: payment.id, status: payment.status },
        'a failed placement has a settled payment; it needs a person',
      );
    return true;
  }
}
