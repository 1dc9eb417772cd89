import {
  recordEvent,
  type DomainEventInputMap,
  type OrderEventType,
  type OrderSnapshot,
} from '@flow/contracts';
import type { Prisma, Order, OrderStatus } from '../generated/prisma/client';
import type { OrdersPrisma, OrdersTransaction } from '../db';

export type OrderWithItems = Prisma.OrderGetPayload<{ include: { items: true } }>;

/** The domain events orders writes (@flow/contracts): its status machine's and delivery positions. */
type OrdersEventType = OrderEventType | 'delivery.position_reported';

/** An event about an order: its type, and what it carries besides the order itself. */
export type OrderEventChange = {
  [T in OrdersEventType]: { type: T; data: Omit<DomainEventInputMap[T], keyof OrderSnapshot> };
}[OrdersEventType];

/** The next human-readable number of the year, e.g. ORD-2026-000123: one statement, a brief row lock. */
export async function nextOrderNumber(prisma: OrdersPrisma, now = new Date()): Promise<string> {
  const year = now.getUTCFullYear();
  const [row] = await prisma.$queryRaw<{ last: number }[]>`
    INSERT INTO order_number_counters (year, last) VALUES (${year}, 1)
    ON CONFLICT (year) DO UPDATE SET last = order_number_counters.last + 1
    RETURNING last`;
  return `ORD-${year}-${String(row!.last).padStart(6, '0')}`;
}

/** The order as every event about it carries it, after the change. */
export const orderSnapshot = (order: Order): OrderSnapshot => ({
  orderId: order.id,
  number: order.number,
  status: order.status,
  priority: order.priority,
  hospitalOrganizationId: order.hospitalOrganizationId,
  vendorOrganizationId: order.vendorOrganizationId,
  siteId: order.siteId,
  depotId: order.depotId,
  driverId: order.driverId,
  total: { amountMinor: order.totalMinor, currency: order.currency },
});

/** Writes a domain event to the outbox, in the transaction of the change it describes. */
export async function recordOrderEvent(
  tx: OrdersTransaction,
  actor: string | null,
  order: Order,
  change: OrderEventChange,
): Promise<{ id: string }> {
  // The spread of a union is not narrowed by TypeScript; the writer checks the whole at runtime
  // (order.dispatched needs the driverId the move has just set).
  const data = { ...orderSnapshot(order), ...change.data } as DomainEventInputMap[typeof change.type];
  return recordEvent(tx, change.type, data, {
    actor,
    organizationIds: [order.hospitalOrganizationId, order.vendorOrganizationId],
  });
}

export interface MoveOptions {
  id: string;
  from: readonly OrderStatus[];
  to: OrderStatus;
  actorId: string | null;
  note?: string | null;
  data?: Prisma.OrderUncheckedUpdateManyInput;
  event?: OrderEventChange;
}

export interface MovedOrder {
  order: Order;
  /** The outbox event written with the move, when one was asked for. */
  event: { id: string; type: string } | null;
}

/**
 * Compare-and-set of an order's status, with its history row and its outbox event, in one
 * transaction. Null when the order was not in `from` (someone else moved it first).
 */
export async function moveOrder(prisma: OrdersPrisma, options: MoveOptions): Promise<MovedOrder | null> {
  return prisma.$transaction(async (tx) => {
    const moved = await tx.order.updateMany({
      where: { id: options.id, status: { in: [...options.from] } },
      data: { ...options.data, status: options.to },
    });
    if (moved.count === 0) return null;
    const order = await tx.order.findUniqueOrThrow({ where: { id: options.id } });
    await tx.orderStatusChange.create({
      data: { orderId: order.id, status: options.to, actorId: options.actorId, note: options.note ?? null },
    });
    if (!options.event) return { order, event: null };
    const event = await recordOrderEvent(tx, options.actorId, order, options.event);
    return { order, event: { id: event.id, type: options.event.type } };
  });
}

/** Why a placement failed: the code its caller got (OUT_OF_STOCK, PAYMENT_DECLINED, INTERRUPTED, ...). */
export interface PlacementFailure {
  failureCode: string;
  actorId: string | null;
}

/**
 * Compare-and-set of a pending order to FAILED, with its `placement.failed` event, in one
 * transaction. False when it was no longer PENDING (the saga or recovery failed it first).
 */
export async function failPendingOrder(
  prisma: OrdersPrisma,
  order: Order,
  failure: PlacementFailure,
): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const moved = await tx.order.updateMany({
      where: { id: order.id, status: 'PENDING' },
      data: { status: 'FAILED', failureCode: failure.failureCode, compensationPending: true },
    });
    if (moved.count === 0) return false;
    const items = await tx.orderItem.findMany({ where: { orderId: order.id }, orderBy: { lineNo: 'asc' } });
    await recordEvent(
      tx,
      'placement.failed',
      {
        orderId: order.id,
        hospitalOrganizationId: order.hospitalOrganizationId,
        vendorOrganizationId: order.vendorOrganizationId,
        siteId: order.siteId,
        depotId: order.depotId,
        priority: order.priority,
        failureCode: failure.failureCode,
        items: items.map(({ productId, quantity }) => ({ productId, quantity })),
      },
      {
        actor: failure.actorId,
        organizationIds: [order.hospitalOrganizationId, order.vendorOrganizationId],
      },
    );
    return true;
  });
}

/** A placement refused before any order row existed (no depot could fill it): its event alone. */
export async function recordRefusedPlacement(
  prisma: OrdersPrisma,
  placement: {
    hospitalOrganizationId: string;
    siteId: string;
    priority: string;
    items: readonly { productId: string; quantity: number }[];
  },
  failure: PlacementFailure,
): Promise<void> {
  await recordEvent(
    prisma,
    'placement.failed',
    {
      orderId: null,
      hospitalOrganizationId: placement.hospitalOrganizationId,
      vendorOrganizationId: null,
      siteId: placement.siteId,
      depotId: null,
      priority: placement.priority,
      failureCode: failure.failureCode,
      items: placement.items.map(({ productId, quantity }) => ({ productId, quantity })),
    },
    { actor: failure.actorId, organizationIds: [placement.hospitalOrganizationId] },
  );
}
