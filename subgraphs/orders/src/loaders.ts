import DataLoader from 'dataloader';
import { isUuid } from '@flow/platform';
import type { DeliveryPosition, Order, OrderItem, OrderStatusChange } from './generated/prisma/client';
import type { OrdersPrisma } from './db';

/** One set per request: every entity hop goes through these, so a list costs one query, not N. */
export interface Loaders {
  orderById: DataLoader<string, Order | null>;
  itemsByOrderId: DataLoader<string, OrderItem[]>;
  historyByOrderId: DataLoader<string, OrderStatusChange[]>;
  lastPositionByOrderId: DataLoader<string, DeliveryPosition | null>;
}

function valid(keys: readonly string[]): string[] {
  return [...new Set(keys.filter(isUuid).map((k) => k.toLowerCase()))];
}

function groupBy<Row>(rows: Row[], key: (row: Row) => string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return groups;
}

export function createLoaders(prisma: OrdersPrisma): Loaders {
  return {
    orderById: new DataLoader(async (keys) => {
      const ids = valid(keys);
      const rows = ids.length ? await prisma.order.findMany({ where: { id: { in: ids } } }) : [];
      const found = new Map(rows.map((row) => [row.id, row]));
      return keys.map((k) => found.get(k.toLowerCase()) ?? null);
    }),
    itemsByOrderId: new DataLoader(async (keys) => {
      const ids = valid(keys);
      const rows = ids.length
        ? await prisma.orderItem.findMany({ where: { orderId: { in: ids } }, orderBy: { lineNo: 'asc' } })
        : [];
      const groups = groupBy(rows, (row) => row.orderId);
      return keys.map((k) => groups.get(k.toLowerCase()) ?? []);
    }),
    historyByOrderId: new DataLoader(async (keys) => {
      const ids = valid(keys);
      const rows = ids.length
        ? await prisma.orderStatusChange.findMany({
            where: { orderId: { in: ids } },
            orderBy: [{ at: 'asc' }, { id: 'asc' }],
          })
        : [];
      const groups = groupBy(rows, (row) => row.orderId);
      return keys.map((k) => groups.get(k.toLowerCase()) ?? []);
    }),
    lastPositionByOrderId: new DataLoader(async (keys) => {
      const ids = valid(keys);
      // The newest report per order, in one statement however many orders.
      const rows = ids.length
        ? await prisma.deliveryPosition.findMany({
            where: { orderId: { in: ids } },
            orderBy: [{ orderId: 'asc' }, { at: 'desc' }, { id: 'desc' }],
            distinct: ['orderId'],
          })
        : [];
      const found = new Map(rows.map((row) => [row.orderId, row]));
      return keys.map((k) => found.get(k.toLowerCase()) ?? null);
    }),
  };
}
