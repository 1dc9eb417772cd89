/**
 * What went wrong in the database, whichever layer reports it: Prisma's request errors (P2002...),
 * a driver adapter's error (its Postgres code kept in `cause.originalCode`), or pg's own (`code`).
 */
export type DatabaseErrorKind = 'unique' | 'foreign-key' | 'not-found' | 'conflict' | 'timeout';

const PRISMA_CODES: Record<string, DatabaseErrorKind> = {
  P2002: 'unique',
  P2003: 'foreign-key',
  P2025: 'not-found',
  // A write conflict or deadlock: the transaction may be tried again.
  P2034: 'conflict',
};

const POSTGRES_CODES: Record<string, DatabaseErrorKind> = {
  '23505': 'unique',
  '23503': 'foreign-key',
  '40001': 'conflict',
  '40P01': 'conflict',
  // statement_timeout or a cancelled statement (its request aborted).
  '57014': 'timeout',
};

type Coded = { code?: unknown; originalCode?: unknown; cause?: unknown; meta?: unknown };

function codesOf(error: unknown, depth = 0): string[] {
  if (!error || typeof error !== 'object' || depth > 4) return [];
  const { code, originalCode, cause, meta } = error as Coded;
  const own = [code, originalCode].filter((value): value is string => typeof value === 'string');
  const adapter = (meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError;
  return [...own, ...codesOf(cause, depth + 1), ...codesOf(adapter, depth + 1), ...codesOf(meta, depth + 1)];
}

/** The kind of a database error, or null for anything else. */
export function databaseErrorKind(error: unknown): DatabaseErrorKind | null {
  for (const code of codesOf(error)) {
    const kind = PRISMA_CODES[code] ?? POSTGRES_CODES[code];
    if (kind) return kind;
  }
  return null;
}

/** A unique constraint refused the write (the row exists already). */
export const isUniqueViolation = (error: unknown): boolean => databaseErrorKind(error) === 'unique';

/**
 * Answers a database error by its kind: `translate(error, { unique: () => errors.conflict(...) })`
 * returns what the matching handler returns; an error no handler takes is thrown again unchanged.
 */
export function translateDatabaseError<T>(
  error: unknown,
  handlers: Partial<Record<DatabaseErrorKind, (error: unknown) => T>>,
): T {
  const kind = databaseErrorKind(error);
  const handler = kind ? handlers[kind] : undefined;
  if (!handler) throw error;
  return handler(error);
}
