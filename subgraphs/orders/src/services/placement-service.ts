import { setTimeout as sleep } from 'node:timers/promises';
import type { GraphQLError } from 'graphql';
import { ErrorCode, errors, requireViewer, type IdempotencyKeys, type Logger, type Viewer } from '@flow/core';
import { throwIfAborted } from '@flow/subgraph-kit';
import type { Order } from '../generated/prisma/client';
import type { OrdersPrisma } from '../db';
import { assertCan } from './policy';
import type { ServiceContext } from './context';
import type { OrdersDependencies } from './dependencies';
import { chooseQuote, type Quote } from './offer-selection';
import type { LiveUpdates } from './live-updates';
import { failPendingOrder, moveOrder, nextOrderNumber, recordRefusedPlacement } from './order-store';
import { parsePlacement, type PlaceOrderInput, type PlacementRequest } from './placement-input';
import { paymentKey, reservationReference, type SettlementService } from './settlement-service';

/** Idempotency keys are per hospital: two hospitals may happen to pick the same key. */
export const placementScope = (hospitalOrganizationId: string) => `placeOrder:${hospitalOrganizationId}`;

// Errors that are a definite answer: nothing of that step is held, and nothing will appear later.
const DEFINITE = new Set<unknown>([
  ErrorCode.OUT_OF_STOCK,
  ErrorCode.PAYMENT_DECLINED,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.FORBIDDEN,
  ErrorCode.NOT_FOUND,
  ErrorCode.CONFLICT,
]);
const codeOf = (error: unknown) => (error as GraphQLError | undefined)?.extensions?.code;

/** Tries of a placement whose pricing step failed transiently (nothing written yet; env.ts counts them). */
export const PLACEMENT_ATTEMPTS = 3;

/** A failure of the saga before it wrote anything: safe to run again. */
class BeforeSideEffects extends Error {
  constructor(override readonly cause: unknown) {
    super('placement failed before its first write');
  }
}

export interface PlacementServiceOptions {
  prisma: OrdersPrisma;
  dependencies: OrdersDependencies;
  keys: IdempotencyKeys;
  settlements: SettlementService;
  live: LiveUpdates;
  logger: Logger;
  stockHoldSeconds: number;
}

/**
 * When placeOrder answers ORDER_PENDING rather than wait longer: this long before its caller's
 * deadline, so that the answer (with the key) reaches the caller before it gives up.
 */
export function answerMarginMs(remainingMs: number): number {
  return Math.min(5_000, Math.max(1_000, Math.round(remainingMs / 10)));
}

/**
 * placeOrder as a saga: quote (pricing), write the order as PENDING, let the vendor see the site
 * (locations), hold every line (inventory), authorise or invoice (payments), then PLACED. A step
 * that fails undoes the earlier ones before the caller hears of it; what cannot be undone at once
 * (a dependency down, a reply lost) is marked and finished by the recovery job. Clients never
 * see a PENDING or FAILED order.
 */
export class PlacementService {
  constructor(private readonly options: PlacementServiceOptions) {}

  /**
   * The saga runs detached from the request: the caller hears its outcome if it is known a margin
   * before the caller's deadline (answerMarginMs), and ORDER_PENDING with the key (and the order
   * id once there is one) otherwise, while the saga goes on to its end and stores the outcome
   * under the key. A retry with the key then returns the order or the definite failure, or
   * ORDER_PENDING again while the saga still runs. A copy arriving while the first still runs
   * waits for it the same way. So no caller is ever told "failed" about an order that may appear.
   */
  async place(ctx: ServiceContext, input: PlaceOrderInput, idempotencyKey: string): Promise<Order> {
    const viewer = requireViewer(ctx.viewer);
    assertCan.place(viewer);
    const request = parsePlacement(input);
    const deadline = ctx.deadline ?? Date.now() + 60_000;
    const answerBy = deadline - answerMarginMs(deadline - Date.now());
    const pending = () => this.pending(viewer.organizationId, idempotencyKey);
    const outcome = this.options.keys.run(
      placementScope(viewer.organizationId),
      idempotencyKey,
      request,
      () => this.runUntilDefinite(ctx, viewer, request, idempotencyKey, answerBy),
      { waitUntil: answerBy, stillRunning: () => errors.orderPending(idempotencyKey) },
    );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), Math.max(0, answerBy - Date.now()));
    });
    // The saga's own end is logged and stored under the key even when nobody waits for it.
    outcome.catch(() => undefined);
    try {
      const first = await Promise.race([outcome, late]);
      if (first === 'late') throw await pending();
      return await this.options.prisma.order.findUniqueOrThrow({ where: { id: first } });
    } catch (error) {
      if (codeOf(error) === ErrorCode.ORDER_PENDING) throw await pending();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** ORDER_PENDING for a key whose saga still runs, with its order id once the order exists. */
  private async pending(hospitalOrganizationId: string, idempotencyKey: string): Promise<GraphQLError> {
    const order = await this.options.prisma.order
      .findFirst({
        where: { hospitalOrganizationId, idempotencyKey, status: { in: ['PENDING', 'PLACED'] } },
        select: { id: true },
      })
      .catch(() => null);
    return errors.orderPending(idempotencyKey, order?.id);
  }

  /**
   * A placement that failed transiently before its first side effect (pricing slow or down: no
   * order row, nothing held) is tried again, a few times while the caller still waits: under
   * contention a caller then hears the definite outcome (PLACED or OUT_OF_STOCK) rather than
   * SERVICE_UNAVAILABLE. A failure after the pending order exists is not retried here: the saga
   * has undone it (or recovery will), and the caller's retry with the key runs it again.
   */
  private async runUntilDefinite(
    ctx: ServiceContext,
    viewer: Viewer,
    request: PlacementRequest,
    idempotencyKey: string,
    answerBy: number,
  ): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.run(ctx, viewer, request, idempotencyKey);
      } catch (error) {
        const pauseMs = 200 * 2 ** (attempt - 1) * (0.5 + Math.random());
        const retry =
          error instanceof BeforeSideEffects &&
          codeOf(error.cause) === ErrorCode.SERVICE_UNAVAILABLE &&
          attempt < PLACEMENT_ATTEMPTS &&
          !ctx.signal.aborted &&
          Date.now() + pauseMs < answerBy;
        const cause = error instanceof BeforeSideEffects ? error.cause : error;
        if (!retry) throw cause;
        this.options.logger.info(
          { requestId: ctx.requestId, attempt, pauseMs: Math.round(pauseMs) },
          'placement failed before its first write; trying again',
        );
        await sleep(pauseMs);
      }
    }
  }

  private async run(
    ctx: ServiceContext,
    viewer: Viewer,
    request: PlacementRequest,
    idempotencyKey: string,
  ): Promise<string> {
    const { dependencies } = this.options;
    const offers = await Promise.all(
      request.items.map((item) =>
        dependencies.offers(ctx, { ...item, siteId: request.siteId, priority: request.priority }),
      ),
    ).catch((error: unknown) => {
      throw new BeforeSideEffects(error);
    });
    const quote = await this.quote(ctx, viewer, request, offers);
    // The last point where stopping loses nothing: once the pending order exists, the saga runs to
    // its end (its writes are not cut by the caller's deadline; see SubgraphClient.once and
    // withoutDeadline), or the recovery job finishes it.
    throwIfAborted(ctx.signal);
    const order = await this.createPending(viewer, request, quote, idempotencyKey);
    let paymentAsked = false;
    try {
      await dependencies.grantSiteAccess(ctx, order.siteId, order.vendorOrganizationId);
      await this.holdStock(ctx, order, quote);
      paymentAsked = true;
      const payment = await dependencies.authorizePayment(
        ctx,
        {
          orderId: order.id,
          payerOrganizationId: order.hospitalOrganizationId,
          payeeOrganizationId: order.vendorOrganizationId,
          amount: { amountMinor: order.totalMinor, currency: order.currency },
          method: request.payment.method,
          cardToken: request.payment.cardToken,
          purchaseOrderNumber: request.payment.purchaseOrderNumber,
        },
        paymentKey(order.id, 'authorize'),
      );
      const placed = await moveOrder(this.options.prisma, {
        id: order.id,
        from: ['PENDING'],
        to: 'PLACED',
        actorId: viewer.userId,
        note: request.notes,
        data: { paymentId: payment.id, placedAt: new Date() },
        event: { type: 'order.placed', data: { items: quote.lines } },
      });
      // The recovery job took it for dead (the saga outran the grace period): undo, as it does.
      if (!placed) throw errors.serviceUnavailable('orders');
      if (placed.event) await this.options.live.orderChanged(placed.order, placed.event);
      return placed.order.id;
    } catch (error) {
      const definite = DEFINITE.has(codeOf(error));
      await this.fail(ctx, order, error, {
        conclusive: definite,
        paymentMayExist: paymentAsked && codeOf(error) !== ErrorCode.PAYMENT_DECLINED,
      });
      throw error;
    }
  }

  /** The cheapest quote; a placement no depot can fill is recorded (placement.failed) and refused. */
  private async quote(
    ctx: ServiceContext,
    viewer: Viewer,
    request: PlacementRequest,
    offers: Parameters<typeof chooseQuote>[1],
  ): Promise<Quote> {
    try {
      return chooseQuote(request, offers);
    } catch (error) {
      const failureCode = String(codeOf(error));
      // The caller's answer does not depend on the record: a lost one costs a statistic, not an order.
      await recordRefusedPlacement(
        this.options.prisma,
        { ...request, hospitalOrganizationId: viewer.organizationId },
        { failureCode, actorId: viewer.userId },
      ).catch((recordError: unknown) =>
        this.options.logger.warn(
          { requestId: ctx.requestId, err: recordError },
          'refused placement not recorded',
        ),
      );
      throw error;
    }
  }

  private async createPending(
    viewer: Viewer,
    request: PlacementRequest,
    quote: Quote,
    idempotencyKey: string,
  ): Promise<Order> {
    const number = await nextOrderNumber(this.options.prisma);
    return this.options.prisma.order.create({
      data: {
        number,
        status: 'PENDING',
        priority: request.priority,
        hospitalOrganizationId: viewer.organizationId,
        placedBy: viewer.userId,
        siteId: request.siteId,
        vendorOrganizationId: quote.vendorId,
        depotId: quote.depotId,
        currency: quote.currency,
        subtotalMinor: quote.subtotalMinor,
        deliveryFeeMinor: quote.deliveryFeeMinor,
        totalMinor: quote.totalMinor,
        notes: request.notes,
        paymentMethod: request.payment.method,
        purchaseOrderNumber: request.payment.purchaseOrderNumber,
        idempotencyKey,
        routeDistanceKm: quote.distanceKm,
        routeDurationMinutes: quote.etaMinutes,
        items: {
          create: quote.lines.map((line, index) => ({
            ...line,
            currency: quote.currency,
            lineNo: index + 1,
          })),
        },
      },
    });
  }

  /**
   * One hold per line, each id stored as soon as it is known (so a crash loses none), with the
   * product as inventory named it in the same answer: the line's record of what was ordered.
   */
  private async holdStock(ctx: ServiceContext, order: Order, quote: Quote) {
    for (const [index, line] of quote.lines.entries()) {
      const lineNo = index + 1;
      const reservation = await this.options.dependencies.reserve(ctx, {
        depotId: order.depotId,
        productId: line.productId,
        quantity: line.quantity,
        reference: reservationReference(order.id, lineNo),
        holdSeconds: this.options.stockHoldSeconds,
        organizationId: order.hospitalOrganizationId,
      });
      await this.options.prisma.orderItem.update({
        where: { orderId_lineNo: { orderId: order.id, lineNo } },
        data: {
          reservationId: reservation.id,
          productName: reservation.product.name,
          productSku: reservation.product.sku,
        },
      });
    }
  }

  private async fail(
    ctx: ServiceContext,
    order: Order,
    error: unknown,
    knowledge: { conclusive: boolean; paymentMayExist: boolean },
  ) {
    const failureCode = String(codeOf(error) ?? ErrorCode.INTERNAL_SERVER_ERROR);
    this.options.logger.info(
      { requestId: ctx.requestId, orderId: order.id, failureCode },
      'placement failed; undoing its holds',
    );
    await failPendingOrder(this.options.prisma, order, {
      failureCode,
      actorId: requireViewer(ctx.viewer).userId,
    });
    // Even when the recovery job marked it first: this request knows what it holds.
    await this.options.settlements.compensate(ctx, order.id, knowledge);
  }
}
