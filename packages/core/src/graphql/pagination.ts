import { errors } from '../errors';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface Connection<Node> {
  edges: { node: Node; cursor: string }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  totalCount: number;
}

/** Keyset cursor: the sort key of the last row seen, opaque to clients. */
export interface KeysetCursor {
  at: string;
  id: string;
}

export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString('base64url');
}

export function decodeCursor(value: string | null | undefined, field = 'after'): KeysetCursor | null {
  if (value === null || value === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      typeof parsed[0] === 'string' &&
      typeof parsed[1] === 'string' &&
      !Number.isNaN(Date.parse(parsed[0]))
    ) {
      return { at: parsed[0], id: parsed[1] };
    }
  } catch {
    // falls through to the error below
  }
  throw errors.badUserInput(field, `${field} is not a cursor this list produced.`);
}

/**
 * The Prisma `where` that keeps the rows after `cursor` in (createdAt, id) order, ascending or
 * descending: the id breaks ties between rows created in the same millisecond.
 */
export function afterCursor(cursor: KeysetCursor | null, direction: 'asc' | 'desc') {
  if (!cursor) return {};
  const at = new Date(cursor.at);
  return direction === 'asc'
    ? { OR: [{ createdAt: { gt: at } }, { createdAt: at, id: { gt: cursor.id } }] }
    : { OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: cursor.id } }] };
}

export function pageSize(first: number | null | undefined, field = 'first'): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw errors.badUserInput(field, `${field} must be between 1 and ${MAX_PAGE_SIZE}.`);
  }
  return size;
}

/**
 * Builds a connection from `size + 1` fetched rows: the extra row only tells whether there is a
 * next page.
 */
export function toConnection<Row>(
  rows: Row[],
  size: number,
  totalCount: number,
  cursorOf: (row: Row) => KeysetCursor,
  hasPreviousPage: boolean,
): Connection<Row> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ node, cursor: encodeCursor(cursorOf(node)) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > size,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount,
  };
}

type Direction = 'asc' | 'desc';

/** What a page query adds to a Prisma findMany: the keyset filter, the order, one extra row. */
export interface CreatedAtPageQuery<D extends Direction> {
  where: ReturnType<typeof afterCursor>;
  orderBy: [{ createdAt: D }, { id: D }];
  take: number;
}

/**
 * One page of a list in (createdAt, id) order, newest or oldest first: validates `first` and
 * `after`, fetches `first + 1` rows and counts the whole list, side by side.
 */
export async function pageByCreatedAt<Row extends { createdAt: Date; id: string }, D extends Direction>(
  args: { first?: number | null; after?: string | null },
  direction: D,
  fetch: (query: CreatedAtPageQuery<D>) => Promise<Row[]>,
  count: () => Promise<number>,
): Promise<Connection<Row>> {
  const size = pageSize(args.first);
  const after = decodeCursor(args.after);
  const [rows, totalCount] = await Promise.all([
    fetch({
      where: afterCursor(after, direction),
      orderBy: [{ createdAt: direction }, { id: direction }],
      take: size + 1,
    }),
    count(),
  ]);
  return toConnection(
    rows,
    size,
    totalCount,
    (row) => ({ at: row.createdAt.toISOString(), id: row.id }),
    after !== null,
  );
}
