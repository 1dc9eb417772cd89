import DataLoader from 'dataloader';
import { isUuid } from '@flow/platform';
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

/** Ids that are not UUIDs cannot match a row; they resolve to nothing without a query. */
const validIds = (ids: readonly string[]) => [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];

function byId<Row extends { id: string }>(fetch: (ids: string[]) => Promise<Row[]>) {
  return new DataLoader<string, Row | null>(async (ids) => {
    const valid = validIds(ids);
    const rows = valid.length ? await fetch(valid) : [];
    const found = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => found.get(id.toLowerCase()) ?? null);
  });
}

function groupedBy<Row>(key: (row: Row) => string, fetch: (ids: string[]) => Promise<Row[]>) {
  return new DataLoader<string, Row[]>(async (ids) => {
    const valid = validIds(ids);
    const rows = valid.length ? await fetch(valid) : [];
    const groups = new Map<string, Row[]>();
    for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
    return ids.map((id) => groups.get(id.toLowerCase()) ?? []);
  });
}

export function createLoaders(prisma: InventoryPrisma): Loaders {
  return {
    productById: byId((ids) => prisma.product.findMany({ where: { id: { in: ids } } })),
    stockLevelsByProductId: groupedBy(
      (level) => level.productId,
      (ids) => prisma.stockLevel.findMany({ where: { productId: { in: ids } }, orderBy: { depotId: 'asc' } }),
    ),
    stockLevelsByDepotId: groupedBy(
      (level) => level.depotId,
      (ids) =>
        prisma.stockLevel.findMany({
          where: { depotId: { in: ids } },
          orderBy: [{ depotId: 'asc' }, { productId: 'asc' }],
        }),
    ),
  };
}
