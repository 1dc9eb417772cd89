import type DataLoader from 'dataloader';
import { rowByIdLoader, rowsByColumnLoader } from '@flow/subgraph-kit';
import type { Product, StockLevel } from './generated/prisma/client';
import type { InventoryPrisma } from './db';

/** One set per request: every entity hop goes through these, so a list costs one query, not N. */
export interface Loaders {
  productById: DataLoader<string, Product | null>;
  /** Stock rows of a product, at every depot that carries it. */
  stockLevelsByProductId: DataLoader<string, StockLevel[]>;
  /** Stock rows of a depot, one per product it carries. */
  stockLevelsByDepotId: DataLoader<string, StockLevel[]>;
}

export function createLoaders(prisma: InventoryPrisma): Loaders {
  return {
    productById: rowByIdLoader(prisma.product),
    stockLevelsByProductId: rowsByColumnLoader(prisma.stockLevel, 'productId', { depotId: 'asc' }),
    stockLevelsByDepotId: rowsByColumnLoader(prisma.stockLevel, 'depotId', [
      { depotId: 'asc' },
      { productId: 'asc' },
    ]),
  };
}
