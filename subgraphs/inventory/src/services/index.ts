import { SubgraphClient } from '@flow/subgraph-kit';
import { type Logger } from '@flow/core';
import type { InventoryPrisma } from '../db';
import { RemoteSiteLookup } from '../clients/locations/locations-client';
import { DepotDirectory, type SiteLookup } from './depot-directory';
import { ProductService } from './product-service';
import { ReservationService } from './reservation-service';
import { expireReservations } from './reservation-sweeper';
import { StockNotifier, type LivePublisher } from './stock-notifier';
import { StockService } from './stock-service';

export interface InventoryServices {
  products: ProductService;
  stock: StockService;
  reservations: ReservationService;
  depots: DepotDirectory;
  /** Releases expired holds now (the sweeper's job; tests call it directly). */
  expireReservations: () => Promise<number>;
}

export interface InventoryServicesOptions {
  prisma: InventoryPrisma;
  logger: Logger;
  /** How depots are looked up; default: the locations subgraph. */
  sites?: SiteLookup;
  locations?: { url: string; secret: string; timeoutMs: number };
  sweepBatchSize: number;
  /** Where stock changes are announced to the router's subscriptions; none: not announced. */
  publisher?: LivePublisher | null;
}

export function createInventoryServices(options: InventoryServicesOptions): InventoryServices {
  const { prisma, logger } = options;
  const sites =
    options.sites ??
    new RemoteSiteLookup(
      new SubgraphClient({
        name: 'locations',
        url: options.locations!.url,
        secret: options.locations!.secret,
        timeoutMs: options.locations!.timeoutMs,
        logger,
      }),
    );
  const depots = new DepotDirectory(prisma, sites);
  const notifier = new StockNotifier(
    options.publisher ?? null,
    logger.child({ component: 'stock-notifier' }),
  );
  return {
    products: new ProductService(prisma),
    stock: new StockService(prisma, depots, notifier),
    reservations: new ReservationService(prisma, notifier),
    depots,
    expireReservations: () =>
      expireReservations(
        prisma,
        logger.child({ job: 'reservation-expiry' }),
        { batchSize: options.sweepBatchSize },
        notifier,
      ),
  };
}
