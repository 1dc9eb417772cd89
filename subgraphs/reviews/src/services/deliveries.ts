import { handleEvent, type DomainEventOf } from '@flow/contracts';
import { PermanentEventError, type ConsumerHandlers, type DomainEvent } from '@flow/messaging';
import type { Logger } from '@flow/core';
import type { ReviewsPrisma } from '../db';

/**
 * Learns which orders may be reviewed from the orders service's `order.delivered` events, into
 * `delivered_orders` (order, hospital, vendor, delivered at), so that submitReview never calls
 * orders: a review is accepted or refused from our own table, even while orders is down.
 *
 * Idempotent by itself: one row per order, inserted with ON CONFLICT DO NOTHING, so a redelivered
 * event (or eight at once) changes nothing, and an order is delivered once (DELIVERED is final).
 */
export class DeliveredOrders {
  constructor(
    private readonly prisma: ReviewsPrisma,
    private readonly logger: Logger,
  ) {}

  /** The platform's DomainEventHandler, bound; rejects (delivered again) only when the write fails. */
  readonly handle = async (event: DomainEvent): Promise<void> => {
    await this.apply(event);
  };

  private readonly handlers: ConsumerHandlers<'reviews', Promise<boolean>> = {
    'order.delivered': (event) => this.record(event),
  };

  /**
   * True when the event made the order reviewable (false: known already, or ignored). Only the
   * orders service says an order was delivered: an event from anyone else is ignored. One from
   * orders that fails its schema can never be applied: dead-lettered at once, not retried.
   */
  async apply(event: DomainEvent): Promise<boolean> {
    const outcome = event.source === 'orders' ? handleEvent(this.handlers, event) : null;
    if (outcome === null || outcome.kind === 'unhandled') {
      this.logger.debug({ eventId: event.id, type: event.type }, 'event ignored: not a delivery from orders');
      return false;
    }
    if (outcome.kind === 'malformed')
      throw new PermanentEventError(
        `malformed ${event.type} event ${JSON.stringify(event.id)}: ${outcome.error}`,
      );
    return outcome.result;
  }

  private async record(event: DomainEventOf<'order.delivered'>): Promise<boolean> {
    const { orderId, hospitalOrganizationId, vendorOrganizationId } = event.data;
    const inserted = await this.prisma.$executeRaw`
      INSERT INTO delivered_orders (order_id, hospital_organization_id, vendor_organization_id, delivered_at, event_id)
      VALUES (${orderId}::uuid, ${hospitalOrganizationId}::uuid, ${vendorOrganizationId}::uuid,
              ${new Date(event.occurredAt)}, ${event.id}::uuid)
      ON CONFLICT (order_id) DO NOTHING`;
    if (inserted === 1) this.logger.info({ eventId: event.id, orderId }, 'order may be reviewed');
    return inserted === 1;
  }
}
