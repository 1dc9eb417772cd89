import { IdempotencyKeys, type Logger } from '@flow/core';
import type { OrdersPrisma } from '../db';
import type { OrdersDependencies } from './dependencies';
import { DeliveryService } from './delivery-service';
import { LiveUpdates, type LivePublisher } from './live-updates';
import { OrderService } from './order-service';
import { PlacementService } from './placement-service';
import { OrphanHoldSweep } from './orphan-holds';
import { RecoveryJob } from './recovery';
import { SettlementService } from './settlement-service';
import { ProductSnapshotBackfill } from './product-snapshots';

export interface OrdersServices {
  orders: OrderService;
  placements: PlacementService;
  deliveries: DeliveryService;
  settlements: SettlementService;
  recovery: RecoveryJob;
  productBackfill: ProductSnapshotBackfill;
  keys: IdempotencyKeys;
}

export interface OrdersServicesOptions {
  prisma: OrdersPrisma;
  dependencies: OrdersDependencies;
  logger: Logger;
  stockHoldSeconds: number;
  placementGraceSeconds: number;
  /** Where live updates go; none: no live updates (tests of the saga alone). */
  publisher?: LivePublisher | null;
  /** How long a copy of a placeOrder waits for the first: the whole saga's worst case. */
  placementWaitMs: number;
}

export function createOrdersServices(options: OrdersServicesOptions): OrdersServices {
  const { prisma, dependencies } = options;
  const logger = options.logger.child({ service: 'orders' });
  const keys = new IdempotencyKeys(prisma, { waitMs: options.placementWaitMs });
  const settlements = new SettlementService(prisma, dependencies, logger);
  const live = new LiveUpdates(options.publisher ?? null, logger);
  const orders = new OrderService(prisma, dependencies, settlements, live, logger);
  return {
    keys,
    settlements,
    orders,
    placements: new PlacementService({
      prisma,
      dependencies,
      keys,
      settlements,
      live,
      logger,
      stockHoldSeconds: options.stockHoldSeconds,
    }),
    deliveries: new DeliveryService(prisma, dependencies, orders, live, logger),
    productBackfill: new ProductSnapshotBackfill(
      prisma,
      dependencies,
      logger.child({ job: 'product-backfill' }),
    ),
    recovery: new RecoveryJob({
      prisma,
      keys,
      settlements,
      orphanHolds: new OrphanHoldSweep(
        prisma,
        dependencies,
        logger.child({ job: 'orphan-holds' }),
        options.placementGraceSeconds,
      ),
      live,
      logger,
      placementGraceSeconds: options.placementGraceSeconds,
    }),
  };
}
