import { liveTopics } from '@flow/contracts';
import type { Logger } from '@flow/core';
import type { Order } from '../generated/prisma/client';

/** Where live notifications go (the platform PubSub: Redis, or in-process bridged to the router). */
export interface LivePublisher {
  publish(topic: string, message: unknown): Promise<void>;
}

/**
 * Tells subscribers that an order changed, after the change is committed. A notification says
 * only what happened and where to look (ids): the router reads the current state with each
 * subscriber's credentials. Live updates are best effort: a lost notification is never a lost
 * change (the order is in the database, the event in the outbox), so failures are logged, not thrown.
 */
export class LiveUpdates {
  constructor(
    private readonly publisher: LivePublisher | null,
    private readonly logger: Logger,
  ) {}

  async orderChanged(order: Order, event: { id: string; type: string }): Promise<void> {
    const message = { type: event.type, orderId: order.id, eventId: event.id };
    await this.send([liveTopics.order(order.id), ...this.audiences(order)], message);
  }

  /** A closed order's stock and money are settled at last (by the recovery job). */
  async orderSettled(order: Order): Promise<void> {
    await this.send([liveTopics.order(order.id)], { type: 'order.settled', orderId: order.id });
  }

  async positionReported(order: Order, positionId: string, eventId: string): Promise<void> {
    const message = { type: 'delivery.position_reported', orderId: order.id, positionId, eventId };
    await this.send(
      [liveTopics.delivery(order.id), liveTopics.order(order.id), ...this.audiences(order)],
      message,
    );
  }

  private audiences(order: Order): string[] {
    return [
      liveTopics.organizationOrders(order.hospitalOrganizationId),
      liveTopics.organizationOrders(order.vendorOrganizationId),
      ...(order.driverId ? [liveTopics.driverOrders(order.driverId)] : []),
    ];
  }

  private async send(targets: string[], message: Record<string, unknown>) {
    if (!this.publisher) return;
    const publisher = this.publisher;
    const results = await Promise.allSettled(targets.map((topic) => publisher.publish(topic, message)));
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length > 0)
      this.logger.warn(
        { ...message, failed: failed.length, err: (failed[0] as PromiseRejectedResult).reason },
        'live update not published',
      );
  }
}
