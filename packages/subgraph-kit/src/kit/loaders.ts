import DataLoader from 'dataloader';
import { isUuid } from '@flow/core';

/**
 * The distinct ids worth asking the database for: ids that are not UUIDs cannot match a row and
 * resolve to nothing without a query; the rest are compared in lower case, as Postgres returns them.
 */
export function uuidKeys(keys: readonly string[]): string[] {
  return [...new Set(keys.filter(isUuid).map((key) => key.toLowerCase()))];
}

type FetchRows<Row> = (ids: string[]) => Promise<Row[]>;

async function rowsFor<Row>(keys: readonly string[], fetchRows: FetchRows<Row>): Promise<Row[]> {
  const ids = uuidKeys(keys);
  return ids.length ? fetchRows(ids) : [];
}

/**
 * A per-request loader of one row per UUID key: every key asked in one tick costs one
 * `fetchRows(ids)`, answers come back in the order of the keys, null for a key no row has. When
 * several rows share a key, the first one `fetchRows` returns wins (order them to choose).
 * `valueOf` picks what is loaded of the row (the row itself by default).
 */
export function batchLoader<Row, Value = Row>(
  fetchRows: FetchRows<Row>,
  keyOf: (row: Row) => string,
  valueOf: (row: Row) => Value = (row) => row as unknown as Value,
) {
  return new DataLoader<string, Value | null>(async (keys) => {
    const found = new Map<string, Value>();
    for (const row of await rowsFor(keys, fetchRows))
      if (!found.has(keyOf(row))) found.set(keyOf(row), valueOf(row));
    return keys.map((key) => found.get(key.toLowerCase()) ?? null);
  });
}

/** Like batchLoader, but every row of a key, in the order `fetchRows` returns them ([] for none). */
export function batchGroupLoader<Row>(fetchRows: FetchRows<Row>, keyOf: (row: Row) => string) {
  return new DataLoader<string, Row[]>(async (keys) => {
    const groups = new Map<string, Row[]>();
    for (const row of await rowsFor(keys, fetchRows))
      groups.set(keyOf(row), [...(groups.get(keyOf(row)) ?? []), row]);
    return keys.map((key) => groups.get(key.toLowerCase()) ?? []);
  });
}

/** The part of a Prisma model delegate (`prisma.order`) that rowByIdLoader uses. */
export interface RowsById<Row extends { id: string }> {
  findMany(args: { where: { id: { in: string[] } } }): PromiseLike<Row[]>;
}

/** batchLoader of a table's rows by primary key: `orderById: rowByIdLoader(prisma.order)`. */
export function rowByIdLoader<Row extends { id: string }>(table: RowsById<Row>) {
  return batchLoader(
    async (ids) => table.findMany({ where: { id: { in: ids } } }),
    (row) => row.id,
  );
}

/** The part of a Prisma model delegate (`prisma.orderItem`) that rowsByColumnLoader uses. */
export interface RowsByColumn<Row, Column extends string, Order> {
  findMany(args: { where: { [C in Column]: { in: string[] } }; orderBy: Order }): PromiseLike<Row[]>;
}

/**
 * batchGroupLoader of the rows whose `column` holds the key (a table's children of one parent), in
 * `orderBy`'s order: `itemsByOrderId: rowsByColumnLoader(prisma.orderItem, 'orderId', { lineNo: 'asc' })`.
 */
export function rowsByColumnLoader<Row extends { [C in Column]: string }, Column extends string, const Order>(
  table: RowsByColumn<Row, Column, Order>,
  column: Column,
  orderBy: Order,
) {
  return batchGroupLoader(
    async (ids) =>
      table.findMany({ where: { [column]: { in: ids } } as { [C in Column]: { in: string[] } }, orderBy }),
    (row) => row[column],
  );
}
