// Written by orders (services/order-store.ts): every event about an order carries the order as it
// is after the change, so a consumer needs no call back to orders.
import { z } from 'zod';
import { anyText, integer, money, number, object, text, timestamp, uuid } from './fields';

const order = {
  orderId: uuid(),
  /** Human-readable, e.g. ORD-2026-000123. */
  number: text(40),
  /** The status after the change (PLACED, CONFIRMED, ...). */
  status: anyText(),
  /** ROUTINE, URGENT or EMERGENCY; orders always writes it. */
  priority: anyText().optional(),
  hospitalOrganizationId: uuid(),
  vendorOrganizationId: uuid(),
  siteId: uuid(),
  depotId: uuid(),
  /** The assigned driver; null before dispatch. */
  driverId: uuid().nullable(),
  /** What the hospital pays; orders always writes it. */
  total: money().optional(),
};

export const orderSnapshot = z.object(order);
export type OrderSnapshot = z.input<typeof orderSnapshot>;

const orderLine = object({
  productId: uuid(),
  quantity: integer(),
  unitPriceMinor: integer(),
  lineTotalMinor: integer(),
});

/** Why a party closed the order, as they wrote it (orders trims it and caps it at 500 characters). */
const reason = anyText().optional();

/**
 * A placement that did not become an order, written when the saga gives up: `failureCode` is the
 * error the caller got (OUT_OF_STOCK, PAYMENT_DECLINED, ...; INTERRUPTED when recovery ends a
 * placement whose process died). `orderId` and the vendor are null when it failed before an order
 * row existed (no depot could fill it). Not an `order.*` event: no order is visible to anyone.
 */
const placementFailed = z.object({
  orderId: uuid().nullable(),
  hospitalOrganizationId: uuid(),
  vendorOrganizationId: uuid().nullable(),
  siteId: uuid(),
  depotId: uuid().nullable(),
  priority: anyText(),
  failureCode: text(60),
  items: z.array(object({ productId: uuid(), quantity: integer() }), { error: 'is not a list' }),
});

export const orderEventSchemas = {
  'order.placed': z.object({ ...order, items: z.array(orderLine, { error: 'is not a list' }) }),
  'order.confirmed': z.object(order),
  'order.rejected': z.object({ ...order, reason }),
  'order.dispatched': z.object({ ...order, driverId: uuid() }),
  'order.delivered': z.object(order),
  'order.cancelled': z.object({ ...order, reason }),
  'delivery.position_reported': z.object({
    ...order,
    positionId: uuid(),
    position: object({ lat: number(), lng: number() }),
    /** When the driver's device took the position. */
    at: timestamp(),
    /** Minutes to the site by road; null when locations did not answer. */
    etaMinutes: number().nullable(),
  }),
  'placement.failed': placementFailed,
};

/** The events of an order's status machine (`delivery.position_reported` is not one). */
export const ORDER_EVENT_TYPES = [
  'order.placed',
  'order.confirmed',
  'order.rejected',
  'order.dispatched',
  'order.delivered',
  'order.cancelled',
] as const satisfies readonly (keyof typeof orderEventSchemas)[];

export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];
