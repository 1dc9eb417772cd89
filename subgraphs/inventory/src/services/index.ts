import { SubgraphClient, type Logger } from '@flow/platform';
import type { InventoryPrisma } from '../db';
import { DepotDirectory, RemoteSiteLookup, type SiteLookup } from './depot-directory';
import { ProductService } from './product-service';
import { ReservationService } from './reservation-service';
import { expireReservations } from './reservation-sweeper';
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
  return {
    products: new ProductService(prisma),
    stock: new StockService(prisma, depots),
    reservations: new ReservationService(prisma),
    depots,
    expireReservations: () =>
      expireReservations(prisma, logger.child({ job: 'reservation-expiry' }), {
        batchSize: options.sweepBatchSize,
      }),
  };
}
