import { handleEvent, type DomainEventOf } from '@flow/contracts';
import {
  PermanentEventError,
  type ConsumedEventType,
  type ConsumerHandlers,
  type DomainEvent,
} from '@flow/messaging';
import { type Logger } from '@flow/core';
import type { PaymentsPrisma } from '../db';

/**
 * Learns which driver each order is assigned to from the orders service's order events (every
 * one carries the order's `driverId`, null before dispatch), into `order_drivers`, so that a driver
 * reads only the payments of their own deliveries without payments reading the orders schema.
 *
 * Why events and not a call to orders per request: the invoices list of a driver is a join in our
 * own database (paged and counted in SQL, one statement however many deliveries the driver made),
 * and reads do not depend on orders being up. The price is a short lag after a dispatch, during
 * which the driver sees nothing (the safe side).
 *
 * Correct whatever the delivery order: a row is replaced only by an event newer than the one that
 * wrote it (`occurredAt`, then the event id), in one conditional upsert. So a redelivered event
 * (same version) changes nothing, a late older one (e.g. `order.placed` after `order.dispatched`)
 * cannot undo the assignment, and a reassignment (a newer event naming another driver) moves the
 * payments to the new driver, whichever order the copies arrive in. No processed-message table is
 * needed: applying an event is idempotent by itself. Ties in `occurredAt` only happen within one
 * orders transaction, which writes one driver.
 */
export class OrderDrivers {
  constructor(
    private readonly prisma: PaymentsPrisma,
    private readonly logger: Logger,
  ) {}

  /** The platform's DomainEventHandler, bound; rejects (delivered again) only when the write fails. */
  readonly handle = async (event: DomainEvent): Promise<void> => {
    await this.apply(event);
  };

  /** Every order event the catalog says payments consumes names the order's driver. */
  private readonly handlers: ConsumerHandlers<'payments', Promise<boolean>> = {
    'order.placed': (event) => this.assign(event),
    'order.confirmed': (event) => this.assign(event),
    'order.rejected': (event) => this.assign(event),
    'order.dispatched': (event) => this.assign(event),
    'order.delivered': (event) => this.assign(event),
    'order.cancelled': (event) => this.assign(event),
  };

  /**
   * True when the event changed (or created) the order's row. Only the orders service says who
   * drives an order: an event from anyone else is ignored. One from orders that fails its schema
   * can never be applied: dead-lettered at once (PermanentEventError), not retried.
   */
  async apply(event: DomainEvent): Promise<boolean> {
    const outcome = event.source === 'orders' ? handleEvent(this.handlers, event) : null;
    if (outcome === null || outcome.kind === 'unhandled') {
      this.logger.debug({ eventId: event.id, type: event.type }, 'order event ignored: no order driver');
      return false;
    }
    if (outcome.kind === 'malformed')
      throw new PermanentEventError(
        `malformed ${event.type} event ${JSON.stringify(event.id)}: ${outcome.error}`,
      );
    return outcome.result;
  }

  private async assign(event: DomainEventOf<ConsumedEventType<'payments'>>): Promise<boolean> {
    const { orderId, driverId } = event.data;
    const changed = await this.prisma.$executeRaw`
      INSERT INTO order_drivers (order_id, driver_id, occurred_at, event_id)
      VALUES (${orderId}::uuid, ${driverId}::uuid, ${new Date(event.occurredAt)}, ${event.id}::uuid)
      ON CONFLICT (order_id) DO UPDATE
        SET driver_id = EXCLUDED.driver_id, occurred_at = EXCLUDED.occurred_at, event_id = EXCLUDED.event_id
        WHERE (order_drivers.occurred_at, order_drivers.event_id) < (EXCLUDED.occurred_at, EXCLUDED.event_id)`;
    return changed === 1;
  }
}
