import type DataLoader from 'dataloader';
import { batchLoader, rowByIdLoader, rowsByColumnLoader } from '@flow/subgraph-kit';
import type { DeliveryPosition, Order, OrderItem, OrderStatusChange } from './generated/prisma/client';
import type { OrdersPrisma } from './db';
import type { ProductSnapshot } from './services/dependencies';
import { recordProducts } from './services/product-snapshots';
import { partyNameLoader, type PartyNameLoader, type PartyOwners } from './services/party-names';

/** One set per request: every entity hop goes through these, so a list costs one query, not N. */
export interface Loaders {
  orderById: DataLoader<string, Order | null>;
  itemsByOrderId: DataLoader<string, OrderItem[]>;
  historyByOrderId: DataLoader<string, OrderStatusChange[]>;
  lastPositionByOrderId: DataLoader<string, DeliveryPosition | null>;
  /** inventory's products, for lines without their own record (services/product-snapshots.ts). */
  catalogProductById: DataLoader<string, ProductSnapshot | null>;
  /** What an order's organizations and sites are called (services/party-names.ts). */
  partyNames: PartyNameLoader;
}

/** The other subgraphs, on behalf of this request's viewer, for what orders has not recorded. */
export interface RemoteReads extends PartyOwners {
  products: (ids: string[]) => Promise<Map<string, ProductSnapshot>>;
}

export function createLoaders(prisma: OrdersPrisma, remote: RemoteReads): Loaders {
  return {
    catalogProductById: batchLoader(
      async (ids) => {
        const products = [...(await remote.products(ids)).values()];
        await recordProducts(prisma, products);
        return products;
      },
      (product) => product.id,
    ),
    partyNames: partyNameLoader(prisma, remote),
    orderById: rowByIdLoader(prisma.order),
    itemsByOrderId: rowsByColumnLoader(prisma.orderItem, 'orderId', { lineNo: 'asc' }),
    historyByOrderId: rowsByColumnLoader(prisma.orderStatusChange, 'orderId', [{ at: 'asc' }, { id: 'asc' }]),
    // The newest report per order, in one statement however many orders.
    lastPositionByOrderId: batchLoader(
      (ids) =>
        prisma.deliveryPosition.findMany({
          where: { orderId: { in: ids } },
          orderBy: [{ orderId: 'asc' }, { at: 'desc' }, { id: 'desc' }],
          distinct: ['orderId'],
        }),
      (row) => row.orderId,
    ),
  };
}
