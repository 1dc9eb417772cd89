// What each domain event changes in the statistics projections. Pure: no database, so every rule is
// tested on its own, and the live consumer and the rebuild apply the very same rules. Each
// projection is commutative (an order's status only moves forward along the status machine, its
// placement and delivery times come from one event each), so the same events in any order, or
// replayed from the audit log, give the same rows.
import { handleEvent, type DomainEventOf, type UncheckedEvent } from '@flow/contracts';
import type { ConsumerHandlers } from '@flow/messaging';

/** An order as one of its events tells it. */
export interface OrderProjection {
  kind: 'order';
  orderId: string;
  number: string;
  hospitalOrganizationId: string;
  vendorOrganizationId: string;
  status: string;
  statusRank: number;
  totalMinor: number | null;
  currency: string | null;
  /** Set by order.placed only. */
  placedAt: Date | null;
  /** Set by order.delivered only. */
  deliveredAt: Date | null;
}

export interface PlacementFailureProjection {
  kind: 'placementFailure';
  eventId: string;
  orderId: string | null;
  hospitalOrganizationId: string;
  failureCode: string;
  occurredAt: Date;
}

export type Projection = OrderProjection | PlacementFailureProjection;

/** An event of a known type that fails its schema: retrying will not help (dead-lettered at once). */
export class MalformedEventError extends Error {
  readonly permanent = true;
  constructor(event: Pick<UncheckedEvent, 'id' | 'type'>, problem: string) {
    super(`malformed ${String(event.type)} event ${JSON.stringify(event.id)}: ${problem}`);
    this.name = 'MalformedEventError';
  }
}

/**
 * The projections `event` changes: [] for a type that counts for no statistic, null for a type
 * this build does not know (a newer producer's: it is still recorded in the audit log). Throws
 * MalformedEventError when a known type fails its schema.
 */
export function projectionsOf(event: UncheckedEvent): Projection[] | null {
  const outcome = handleEvent(PROJECTIONS, event);
  if (outcome.kind === 'unhandled') return null;
  if (outcome.kind === 'malformed') throw new MalformedEventError(event, outcome.error);
  return outcome.result;
}

/**
 * Where a status is along the status machine: an event never moves the projected order back (a
 * late order.confirmed after order.delivered). The last three end an order; one order reaches
 * only one of them.
 */
export const STATUS_RANK: Readonly<Record<string, number>> = {
  PLACED: 1,
  CONFIRMED: 2,
  DISPATCHED: 3,
  DELIVERED: 4,
  REJECTED: 4,
  CANCELLED: 4,
};

type OrderEvent = DomainEventOf<
  | 'order.placed'
  | 'order.confirmed'
  | 'order.rejected'
  | 'order.dispatched'
  | 'order.delivered'
  | 'order.cancelled'
>;

function order(event: OrderEvent, times: { placedAt?: Date; deliveredAt?: Date } = {}): Projection[] {
  const { data } = event;
  const status = data.status.trim().toUpperCase();
  return [
    {
      kind: 'order',
      orderId: data.orderId.toLowerCase(),
      number: data.number.trim(),
      hospitalOrganizationId: data.hospitalOrganizationId.toLowerCase(),
      vendorOrganizationId: data.vendorOrganizationId.toLowerCase(),
      status,
      // A status this build does not know yet is recorded but moves nothing.
      statusRank: STATUS_RANK[status] ?? 0,
      totalMinor: data.total?.amountMinor ?? null,
      currency: data.total?.currency ?? null,
      placedAt: times.placedAt ?? null,
      deliveredAt: times.deliveredAt ?? null,
    },
  ];
}

const none = (): Projection[] => [];

/**
 * One entry per domain event type (`#` in the catalog: every type). A type added to
 * @flow/contracts fails to compile here until it says what it counts for: `none` is a decision,
 * not a default.
 */
const PROJECTIONS: ConsumerHandlers<'admin', Projection[]> = {
  'order.placed': (event) => order(event, { placedAt: new Date(event.occurredAt) }),
  'order.confirmed': (event) => order(event),
  'order.rejected': (event) => order(event),
  'order.dispatched': (event) => order(event),
  'order.delivered': (event) => order(event, { deliveredAt: new Date(event.occurredAt) }),
  'order.cancelled': (event) => order(event),
  'placement.failed': (event) => [
    {
      kind: 'placementFailure',
      eventId: event.id.toLowerCase(),
      orderId: event.data.orderId?.toLowerCase() ?? null,
      hospitalOrganizationId: event.data.hospitalOrganizationId.toLowerCase(),
      failureCode: event.data.failureCode.trim(),
      occurredAt: new Date(event.occurredAt),
    },
  ],
  // In the audit log only: no statistic of platformStats is made of them (yet).
  'delivery.position_reported': none,
  'organization.registered': none,
  'organization.approved': none,
  'organization.suspended': none,
  'stock.reserved': none,
  'stock.committed': none,
  'stock.released': none,
  'stock.low': none,
  'payment.authorized': none,
  'payment.captured': none,
  'payment.voided': none,
  'payment.failed': none,
  'payment.refunded': none,
  'invoice.paid': none,
  'review.submitted': none,
  'review.hidden': none,
};
