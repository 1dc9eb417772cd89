import { errors, requireUuid, type Logger } from '@flow/core';
import type { DeliveryPosition } from '../generated/prisma/client';
import type { OrdersPrisma } from '../db';
import { assertCan } from './policy';
import type { ServiceContext } from './context';
import type { OrdersDependencies } from './dependencies';
import type { LiveUpdates } from './live-updates';
import type { OrderService } from './order-service';
import { recordOrderEvent } from './order-store';
import { illegal } from './status-machine';

export interface ReportPositionArgs {
  orderId: string;
  position: { lat: number; lng: number };
  speedKph?: number | null;
  heading?: number | null;
}

function requireRange(value: number, field: string, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max)
    throw errors.badUserInput(field, `${field} must be between ${min} and ${max}.`);
  return value;
}

/** Positions reported by the assigned driver, with ETA and distance to the site from locations. */
export class DeliveryService {
  constructor(
    private readonly prisma: OrdersPrisma,
    private readonly dependencies: OrdersDependencies,
    private readonly orders: OrderService,
    private readonly live: LiveUpdates,
    private readonly logger: Logger,
  ) {}

  /** A stored position of an order the viewer is a party to; null otherwise. */
  async byId(ctx: ServiceContext, rawId: string): Promise<DeliveryPosition | null> {
    const position = await this.prisma.deliveryPosition.findUnique({
      where: { id: requireUuid(rawId, 'id') },
    });
    if (!position) return null;
    return (await this.orders.visible(ctx, position.orderId)) ? position : null;
  }

  async report(ctx: ServiceContext, args: ReportPositionArgs): Promise<DeliveryPosition> {
    const { viewer, order } = await this.orders.party(ctx, args.orderId, 'orderId');
    assertCan.reportPosition(viewer, order);
    const lat = requireRange(args.position.lat, 'position.lat', -90, 90);
    const lng = requireRange(args.position.lng, 'position.lng', -180, 180);
    const speedKph = args.speedKph == null ? null : requireRange(args.speedKph, 'speedKph', 0, 300);
    const heading = args.heading == null ? null : requireRange(args.heading, 'heading', 0, 360);
    if (order.status !== 'DISPATCHED') throw illegal('deliver', order.status);

    const route = await this.etaFrom(ctx, order.id, { lat, lng }, order.siteId);
    const at = new Date();
    const view = {
      lat,
      lng,
      at,
      speedKph,
      heading,
      etaMinutes: route?.durationMinutes ?? null,
      distanceRemainingKm: route?.distanceKm ?? null,
    };
    const { position, eventId } = await this.prisma.$transaction(async (tx) => {
      // Only while it is still on the road: a report racing the delivery confirmation is dropped.
      const moved = await tx.order.updateMany({
        where: { id: order.id, status: 'DISPATCHED' },
        data: {
          lastLat: lat,
          lastLng: lng,
          lastSpeedKph: speedKph,
          lastHeading: heading,
          lastPositionAt: at,
          etaMinutes: view.etaMinutes,
          distanceRemainingKm: view.distanceRemainingKm,
        },
      });
      if (moved.count === 0)
        throw errors.conflict('The order is no longer on its way.', { status: 'DELIVERED' });
      const position = await tx.deliveryPosition.create({ data: { orderId: order.id, ...view } });
      const event = await recordOrderEvent(tx, viewer.userId, order, {
        type: 'delivery.position_reported',
        data: {
          positionId: position.id,
          position: { lat, lng },
          at: at.toISOString(),
          etaMinutes: view.etaMinutes,
        },
      });
      return { position, eventId: event.id };
    });
    await this.live.positionReported(order, position.id, eventId);
    return position;
  }

  /** ETA is informative: without locations the position is still recorded, with no ETA. */
  private async etaFrom(
    ctx: ServiceContext,
    orderId: string,
    from: { lat: number; lng: number },
    siteId: string,
  ) {
    try {
      return await this.dependencies.eta(ctx, from, siteId);
    } catch (error) {
      this.logger.warn({ requestId: ctx.requestId, orderId, err: error }, 'no ETA for this position');
      return null;
    }
  }
}
