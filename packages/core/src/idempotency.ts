import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { GraphQLError } from 'graphql';
import { errors, ErrorCode } from './errors';

/**
 * Idempotency keys for any subgraph with an `idempotency_keys` table (scope, key, request_hash,
 * response jsonb, completed_at, created_at; primary key (scope, key)).
 *
 * The key row is the lock: the first request inserts it (INSERT ... ON CONFLICT DO NOTHING) and
 * runs; concurrent copies find the row and poll until it holds the result, so 20 copies make one
 * change and all get the same answer. The same key with a different input is refused. Results and
 * final errors are kept; transient errors (SERVICE_UNAVAILABLE, bugs) delete the row so that a
 * retry with the same key runs again.
 */
export const IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED';

/** The part of a Prisma client this needs (any Prisma client has it). */
export interface IdempotencyDatabase {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
}

export interface IdempotencyOptions {
  /** How long a copy waits for the first request's result before answering CONFLICT. */
  waitMs: number;
  pollMs?: number;
}

export interface RunOptions {
  /** Epoch ms after which a copy stops waiting for the first request (sooner than `waitMs`). */
  waitUntil?: number;
  /** The error a copy answers when it stops waiting (default: CONFLICT). */
  stillRunning?: () => Error;
}

type Stored<T> = { ok: T } | { error: { message: string; extensions: Record<string, unknown> } };

interface KeyRow {
  request_hash: string;
  response: unknown;
  completed_at: Date | null;
}

// GATEWAY_TIMEOUT: the work stopped because its caller's deadline passed, so a retry must run again.
const TRANSIENT_CODES = new Set<unknown>([
  ErrorCode.SERVICE_UNAVAILABLE,
  ErrorCode.INTERNAL_SERVER_ERROR,
  ErrorCode.GATEWAY_TIMEOUT,
]);

/** A stable hash of a request's input: the same fields in any order hash the same. */
export function requestHash(input: unknown): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .filter(([, v]) => v !== undefined)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, v]) => [k, canonical(v)]),
          )
        : value;
  return createHash('sha256')
    .update(JSON.stringify(canonical(input)))
    .digest('hex');
}

export class IdempotencyKeys {
  constructor(
    private readonly db: IdempotencyDatabase,
    private readonly options: IdempotencyOptions,
  ) {}

  /** Runs `work` once per (scope, key); `work`'s result must be JSON (e.g. an id). */
  async run<T>(
    scope: string,
    key: string,
    input: unknown,
    work: () => Promise<T>,
    options: RunOptions = {},
  ): Promise<T> {
    if (key.trim().length === 0 || key.length > 255)
      throw errors.badUserInput('idempotencyKey', 'The idempotency key must have 1 to 255 characters.');
    const hash = requestHash(input);
    const deadline = Math.min(Date.now() + this.options.waitMs, options.waitUntil ?? Infinity);
    for (;;) {
      const [inserted] = await this.db.$queryRawUnsafe<{ created_at: Date }[]>(
        `INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING created_at`,
        scope,
        key,
        hash,
      );
      if (inserted) return this.runFirst({ scope, key, createdAt: inserted.created_at }, work);
      const [row] = await this.db.$queryRawUnsafe<KeyRow[]>(
        `SELECT request_hash, response, completed_at FROM idempotency_keys WHERE scope = $1 AND key = $2`,
        scope,
        key,
      );
      if (row && row.request_hash !== hash) throw keyReused();
      if (row?.completed_at) return replay(row.response as Stored<T>);
      // Still running (row present) or given up transiently (row gone: insert again).
      if (Date.now() > deadline)
        throw (
          options.stillRunning?.() ??
          errors.conflict('A request with this idempotency key is still in progress. Retry shortly.')
        );
      await sleep(this.options.pollMs ?? 25);
    }
  }

  /**
   * Runs the work that owns the key row. The row is identified by its creation time too: if the
   * key was abandoned meanwhile (recovery decided this request was dead) and a retry made a new
   * row, this request must neither overwrite nor delete that one.
   */
  private async runFirst<T>(
    row: { scope: string; key: string; createdAt: Date },
    work: () => Promise<T>,
  ): Promise<T> {
    const own = `scope = $1 AND key = $2 AND created_at = $3 AND completed_at IS NULL`;
    let stored: Stored<T>;
    try {
      stored = { ok: await work() };
    } catch (error) {
      const code = error instanceof GraphQLError ? error.extensions.code : undefined;
      if (!(error instanceof GraphQLError) || TRANSIENT_CODES.has(code)) {
        await this.db.$executeRawUnsafe(
          `DELETE FROM idempotency_keys WHERE ${own}`,
          row.scope,
          row.key,
          row.createdAt,
        );
        throw error;
      }
      stored = { error: { message: error.message, extensions: { ...error.extensions } } };
    }
    await this.db.$executeRawUnsafe(
      `UPDATE idempotency_keys SET response = $4::jsonb, completed_at = now() WHERE ${own}`,
      row.scope,
      row.key,
      row.createdAt,
      JSON.stringify(stored),
    );
    return replay(stored);
  }

  /**
   * Frees a key whose request died before finishing (its process crashed): copies stop waiting
   * and a retry runs again. A finished key is kept.
   */
  async abandon(scope: string, key: string): Promise<void> {
    await this.db.$executeRawUnsafe(
      `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND completed_at IS NULL`,
      scope,
      key,
    );
  }

  /** Forgets keys older than `hours` (callers are promised at least 24). */
  async deleteOlderThan(hours: number): Promise<number> {
    return this.db.$executeRawUnsafe(
      `DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1::int)`,
      hours,
    );
  }
}

function replay<T>(stored: Stored<T>): T {
  if ('ok' in stored) return stored.ok;
  throw new GraphQLError(stored.error.message, { extensions: stored.error.extensions });
}

function keyReused(): GraphQLError {
  return new GraphQLError('This idempotency key was already used with a different input.', {
    extensions: { code: IDEMPOTENCY_KEY_REUSED, field: 'idempotencyKey' },
  });
}
