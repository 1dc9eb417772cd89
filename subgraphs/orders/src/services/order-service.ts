import {
  errors,
  pageByCreatedAt,
  requireText,
  requireUuid,
  requireViewer,
  type Connection,
  type Logger,
  type Viewer,
} from '@flow/core';
import type { OrderEventType } from '@flow/contracts';
import type { Order, OrderStatus, OutboxEvent, Prisma } from '../generated/prisma/client';
import type { OrdersPrisma } from '../db';
import { assertCan, canSee, isDriverOfVendor, visibleWhere } from './policy';
import type { ServiceContext } from './context';
import type { OrdersDependencies } from './dependencies';
import { moveOrder } from './order-store';
import type { LiveUpdates } from './live-updates';
import type { SettlementService } from './settlement-service';
import { illegal, requireTransition, TRANSITIONS, type Transition } from './status-machine';

export interface OrderFilter {
  status?: OrderStatus | null;
  priority?: Order['priority'] | null;
}

export interface DeliveryProofInput {
  receivedBy: string;
  signature: string;
  deliveredSerials?: string[] | null;
}

/** The outbox events that are about one order (orderEvent serves only these). */
const ORDER_EVENT_TYPES = /^(order|delivery)\./;

const EVENT_OF = {
  confirm: 'order.confirmed',
  reject: 'order.rejected',
  dispatch: 'order.dispatched',
  deliver: 'order.delivered',
  cancel: 'order.cancelled',
} as const satisfies Record<Transition, OrderEventType>;

/** Reads with tenancy, and every move of the status machine with its role check. */
export class OrderService {
  constructor(
    private readonly prisma: OrdersPrisma,
    private readonly dependencies: OrdersDependencies,
    private readonly settlements: SettlementService,
    private readonly live: LiveUpdates,
    private readonly logger: Logger,
  ) {}

  /** The order if the viewer is a party to it; null otherwise (no hint it exists). */
  async visible(ctx: ServiceContext, rawId: string): Promise<Order | null> {
    const viewer = requireViewer(ctx.viewer);
    const order = await ctx.loaders.orderById.load(requireUuid(rawId, 'id'));
    return order && canSee(viewer, order) ? order : null;
  }

  /** An order event (from the outbox) of an order the viewer is a party to; null otherwise. */
  async event(ctx: ServiceContext, rawId: string): Promise<OutboxEvent | null> {
    const event = await this.prisma.outboxEvent.findUnique({ where: { id: requireUuid(rawId, 'id') } });
    const orderId = (event?.data as { orderId?: unknown } | undefined)?.orderId;
    if (!event || typeof orderId !== 'string' || !ORDER_EVENT_TYPES.test(event.type)) return null;
    return (await this.visible(ctx, orderId)) ? event : null;
  }

  async list(
    ctx: ServiceContext,
    args: { filter?: OrderFilter | null; first?: number | null; after?: string | null },
  ): Promise<Connection<Order>> {
    const viewer = requireViewer(ctx.viewer);
    const where: Prisma.OrderWhereInput = { ...visibleWhere(viewer) };
    if (args.filter?.status) where.status = args.filter.status;
    if (args.filter?.priority) where.priority = args.filter.priority;
    return pageByCreatedAt(
      args,
      'desc',
      (page) => this.prisma.order.findMany({ ...page, where: { AND: [where, page.where] } }),
      () => this.prisma.order.count({ where }),
    );
  }

  async confirm(ctx: ServiceContext, orderId: string): Promise<Order> {
    const { viewer, order } = await this.party(ctx, orderId, 'orderId');
    assertCan.confirm(viewer, order);
    return this.move(ctx, viewer, order, 'confirm', { confirmedAt: new Date() });
  }

  async reject(ctx: ServiceContext, orderId: string, rawReason: string): Promise<Order> {
    const { viewer, order } = await this.party(ctx, orderId, 'orderId');
    assertCan.reject(viewer, order);
    const reason = requireText(rawReason, 'reason', { max: 500 });
    return this.move(ctx, viewer, order, 'reject', this.closing(reason), reason);
  }

  async cancel(ctx: ServiceContext, orderId: string, rawReason: string): Promise<Order> {
    const { viewer, order } = await this.party(ctx, orderId, 'orderId');
    assertCan.cancel(viewer, order);
    const reason = requireText(rawReason, 'reason', { max: 500 });
    return this.move(ctx, viewer, order, 'cancel', this.closing(reason), reason);
  }

  async dispatch(ctx: ServiceContext, orderId: string, rawDriverId: string): Promise<Order> {
    const { viewer, order } = await this.party(ctx, orderId, 'orderId');
    assertCan.dispatch(viewer, order);
    const driverId = requireUuid(rawDriverId, 'driverId');
    if (order.status === 'DISPATCHED' && order.driverId === driverId) return order;
    requireTransition('dispatch', order.status);
    const driver = await this.dependencies.user(ctx, driverId);
    if (!driver || !isDriverOfVendor(driver, order))
      throw errors.badUserInput('driverId', 'driverId is not a driver of your organization.');
    const route = await this.routeFromDepot(ctx, order);
    return this.move(ctx, viewer, order, 'dispatch', {
      driverId,
      dispatchedAt: new Date(),
      etaMinutes: route?.durationMinutes ?? order.routeDurationMinutes,
      distanceRemainingKm: route?.distanceKm ?? order.routeDistanceKm,
    });
  }

  async confirmDelivery(ctx: ServiceContext, orderId: string, proof: DeliveryProofInput): Promise<Order> {
    const { viewer, order } = await this.party(ctx, orderId, 'orderId');
    assertCan.deliver(viewer, order);
    const receivedBy = requireText(proof.receivedBy, 'proof.receivedBy', { max: 200 });
    const signature = requireText(proof.signature, 'proof.signature', { max: 100_000 });
    const serials = (proof.deliveredSerials ?? []).map((serial, index) =>
      requireText(serial, `proof.deliveredSerials.${index}`, { max: 100 }),
    );
    if (serials.length > 1000)
      throw errors.badUserInput('proof.deliveredSerials', 'At most 1000 serial numbers per delivery.');
    return this.move(ctx, viewer, order, 'deliver', {
      deliveredAt: new Date(),
      closedAt: new Date(),
      proofReceivedBy: receivedBy,
      proofSignature: signature,
      proofSerials: serials,
      etaMinutes: 0,
      distanceRemainingKm: 0,
      settlementPending: true,
    });
  }

  /** The order for a mutation: NOT_FOUND unless the viewer is a party to it. */
  async party(ctx: ServiceContext, rawId: string, field: string): Promise<{ viewer: Viewer; order: Order }> {
    const viewer = requireViewer(ctx.viewer);
    const id = requireUuid(rawId, field);
    const order = await this.prisma.order.findUnique({ where: { id } });
    if (!order || !canSee(viewer, order)) throw errors.notFound('Order', id);
    return { viewer, order };
  }

  private closing(reason: string): Prisma.OrderUncheckedUpdateManyInput {
    return { closedAt: new Date(), closeReason: reason, settlementPending: true };
  }

  /**
   * A compare-and-set move. Repeating a move that already happened (a retry after a lost reply)
   * returns the order as it is; any other move from the wrong status is CONFLICT.
   */
  private async move(
    ctx: ServiceContext,
    viewer: Viewer,
    order: Order,
    transition: Transition,
    data: Prisma.OrderUncheckedUpdateManyInput,
    note: string | null = null,
  ): Promise<Order> {
    const rule = TRANSITIONS[transition];
    if (order.status === rule.to) return order;
    requireTransition(transition, order.status);
    const moved = await moveOrder(this.prisma, {
      id: order.id,
      from: rule.from,
      to: rule.to,
      actorId: viewer.userId,
      note,
      data,
      event: { type: EVENT_OF[transition], data: note ? { reason: note } : {} },
    });
    if (moved) {
      // Settle before telling subscribers, so that they see the order with its stock and money
      // already settled (or settlementPending, when a dependency did not answer).
      const current = moved.order.settlementPending ? await this.settled(ctx, moved.order) : moved.order;
      if (moved.event) await this.live.orderChanged(current, moved.event);
      return current;
    }
    const latest = await this.prisma.order.findUniqueOrThrow({ where: { id: order.id } });
    if (latest.status === rule.to) return latest;
    throw illegal(transition, latest.status);
  }

  /** Settles at once when the other subgraphs answer; otherwise the recovery job finishes it. */
  private async settled(ctx: ServiceContext, order: Order): Promise<Order> {
    if (!order.settlementPending) return order;
    await this.settlements.settle(ctx, order.id);
    return this.prisma.order.findUniqueOrThrow({ where: { id: order.id } });
  }

  private async routeFromDepot(ctx: ServiceContext, order: Order) {
    try {
      return await this.dependencies.route(ctx, order.depotId, order.siteId);
    } catch (error) {
      this.logger.warn({ requestId: ctx.requestId, orderId: order.id, err: error }, 'no route for the ETA');
      return null;
    }
  }
}
