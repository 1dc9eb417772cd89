import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';

/**
 * The signal of the request whose code is running (set by startSubgraphServer around each
 * GraphQL request): the database layer reads it without every service passing it down.
 */
export const requestSignalScope = new AsyncLocalStorage<AbortSignal>();

/**
 * A pg pool (handed to PrismaPg) that cancels a read (a SELECT outside any transaction) when the
 * request it runs for aborts (deadline passed or caller gone): the statement stops at once rather
 * than at statement_timeout. Writes and transactions are left alone (and so is everything below a
 * mutation's root resolver, see stopResolversAfterAbort); statement_timeout still bounds them. A connection a cancel was sent on is discarded, never reused, so a late cancel can
 * never hit another request's statement.
 */
const isRead = (config: unknown): config is pg.QueryConfig =>
  typeof config === 'object' &&
  config !== null &&
  /^\s*select\b/i.test(String((config as { text?: unknown }).text ?? ''));

export class CancellablePool extends pg.Pool {
  override query(...args: unknown[]): never {
    const signal = requestSignalScope.getStore();
    const [config] = args;
    // Callback style and plain-text calls are not Prisma's: pass them through untouched.
    if (!signal || args.length !== 1 || !isRead(config))
      return (super.query as (...a: unknown[]) => never)(...args);
    return this.queryUntilAborted(config as pg.QueryConfig, signal) as never;
  }

  private async queryUntilAborted(config: pg.QueryConfig, signal: AbortSignal): Promise<pg.QueryResult> {
    if (signal.aborted) throw signal.reason;
    const client = await this.connect();
    let cancelled = false;
    const cancel = () => {
      cancelled = true;
      void this.cancelBackend(client);
    };
    signal.addEventListener('abort', cancel, { once: true });
    try {
      return await client.query(config);
    } finally {
      signal.removeEventListener('abort', cancel);
      client.release(cancelled ? new Error('statement cancelled: its request aborted') : undefined);
    }
  }

  private async cancelBackend(client: pg.PoolClient): Promise<void> {
    const pid = (client as unknown as { processID?: number }).processID;
    if (!pid) return;
    const canceller = new pg.Client({ ...this.options, application_name: 'flow-cancel' } as pg.ClientConfig);
    try {
      await canceller.connect();
      await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch {
      // The statement_timeout still ends it.
    } finally {
      await canceller.end().catch(() => undefined);
    }
  }
}
