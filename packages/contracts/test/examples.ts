// One event of every type, as its producer writes it (the field values of the producers' own
// snapshots). Typed by the map, so a type without an example, or an example its schema's type
// refuses, fails to compile.
import { randomUUID } from 'node:crypto';
import type { DomainEventInputMap, DomainEventType, UncheckedEvent } from '../src';

const hospital = randomUUID();
const vendor = randomUUID();
const order = {
  orderId: randomUUID(),
  number: 'ORD-2026-000123',
  status: 'PLACED',
  priority: 'URGENT',
  hospitalOrganizationId: hospital,
  vendorOrganizationId: vendor,
  siteId: randomUUID(),
  depotId: randomUUID(),
  driverId: null,
  total: { amountMinor: 12500, currency: 'USD' },
};
const stock = {
  depotId: order.depotId,
  productId: randomUUID(),
  onHand: 7,
  reserved: 4,
  available: 3,
  reorderLevel: 5,
};
const reservation = {
  reservationId: randomUUID(),
  reference: `order:${order.orderId}:1`,
  depotId: stock.depotId,
  productId: stock.productId,
  quantity: 4,
  status: 'HELD',
  expiresAt: '2026-12-07T08:00:00.000Z',
};
const review = {
  reviewId: randomUUID(),
  orderId: order.orderId,
  hospitalOrganizationId: hospital,
  vendorOrganizationId: vendor,
  rating: 4,
  authorId: randomUUID(),
};
const payment = {
  paymentId: randomUUID(),
  orderId: order.orderId,
  payerOrganizationId: hospital,
  payeeOrganizationId: vendor,
  status: 'AUTHORIZED',
  method: 'CARD',
  amountMinor: 12500,
  capturedMinor: 0,
  refundedMinor: 0,
  currency: 'USD',
  failureReason: null,
};
const organization = {
  organizationId: vendor,
  name: 'AirLife Oxygen Supply',
  kind: 'VENDOR',
  status: 'ACTIVE',
};

export const examples: { [T in DomainEventType]: DomainEventInputMap[T] } = {
  'organization.registered': { ...organization, status: 'PENDING_APPROVAL' },
  'organization.approved': { ...organization, previousStatus: 'PENDING_APPROVAL' },
  'organization.suspended': {
    ...organization,
    status: 'SUSPENDED',
    previousStatus: 'ACTIVE',
    reason: 'Expired oxygen supply licence',
  },
  'order.placed': {
    ...order,
    items: [{ productId: stock.productId, quantity: 5, unitPriceMinor: 2500, lineTotalMinor: 12500 }],
  },
  'order.confirmed': { ...order, status: 'CONFIRMED' },
  'order.rejected': { ...order, status: 'REJECTED', reason: 'Out of cylinders' },
  'order.dispatched': { ...order, status: 'DISPATCHED', driverId: randomUUID() },
  'order.delivered': { ...order, status: 'DELIVERED', driverId: randomUUID() },
  'order.cancelled': { ...order, status: 'CANCELLED', reason: 'Ordered twice' },
  'delivery.position_reported': {
    ...order,
    status: 'DISPATCHED',
    driverId: randomUUID(),
    positionId: randomUUID(),
    position: { lat: 52.37, lng: 4.89 },
    at: '2026-12-07T07:30:00.000Z',
    etaMinutes: 12.5,
  },
  'placement.failed': {
    orderId: order.orderId,
    hospitalOrganizationId: hospital,
    vendorOrganizationId: vendor,
    siteId: order.siteId,
    depotId: order.depotId,
    priority: 'ROUTINE',
    failureCode: 'OUT_OF_STOCK',
    items: [{ productId: stock.productId, quantity: 5 }],
  },
  'stock.reserved': { ...reservation, stock },
  'stock.committed': { ...reservation, status: 'COMMITTED', reason: null, stock },
  'stock.released': { ...reservation, status: 'EXPIRED', reason: 'hold expired', stock },
  'stock.low': { ...stock, vendorOrganizationId: vendor },
  'payment.authorized': payment,
  'payment.captured': { ...payment, status: 'CAPTURED', capturedMinor: 12500 },
  'payment.voided': { ...payment, status: 'VOIDED' },
  'payment.failed': { ...payment, status: 'FAILED', failureReason: 'card_declined' },
  'payment.refunded': { ...payment, status: 'PARTIALLY_REFUNDED', refundId: randomUUID(), amountMinor: 500 },
  'invoice.paid': {
    invoiceId: randomUUID(),
    number: 'INV-2026-000042',
    paymentId: payment.paymentId,
    orderId: order.orderId,
    amountMinor: 12500,
    refundedMinor: 0,
    currency: 'USD',
    paidAt: '2026-12-07T07:45:00.000Z',
  },
  'review.submitted': { ...review, comment: 'On time, cylinders sealed.' },
  'review.hidden': { ...review, reason: 'Names a person', hiddenAt: '2026-12-07T09:00:00.000Z' },
};

/** The event the outbox relay would publish for `data`. */
export function envelopeOf(type: string, data: unknown): UncheckedEvent {
  return {
    id: randomUUID(),
    type,
    occurredAt: new Date().toISOString(),
    actor: randomUUID(),
    organizationIds: [hospital, vendor],
    data: data as Record<string, unknown>,
    source: 'test',
  };
}
