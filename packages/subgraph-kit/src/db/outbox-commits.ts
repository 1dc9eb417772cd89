import type pg from 'pg';

const BEGIN = /^\s*(BEGIN|START\s+TRANSACTION)\b/i;
const COMMIT = /^\s*(COMMIT|END)\s*;?\s*$/i;
const ROLLBACK = /^\s*(ROLLBACK|ABORT)\s*;?\s*$/i;
const OUTBOX = /\boutbox_events\b/i;

type Query = (...args: unknown[]) => unknown;

const statementText = (config: unknown): string =>
  typeof config === 'string' ? config : String((config as { text?: unknown } | null)?.text ?? '');

/**
 * Calls `committed` once a transaction that wrote to `outbox_events` has committed on one of the
 * pool's connections (or once such a statement succeeded outside a transaction): the outbox relay
 * then publishes at once, whoever wrote the rows (a mutation, a job, an event handler). It watches
 * the statements Prisma sends (BEGIN, ..., COMMIT), so no service has to remember to call it.
 */
export function notifyOutboxCommits(pool: pg.Pool, committed: () => void): void {
  pool.on('connect', (client) => {
    let inTransaction = false;
    let wroteOutbox = false;
    const query = client.query.bind(client) as Query;
    const watched: Query = (...args) => {
      const sql = statementText(args[0]);
      let afterSuccess: (() => void) | undefined;
      if (BEGIN.test(sql)) [inTransaction, wroteOutbox] = [true, false];
      else if (ROLLBACK.test(sql)) [inTransaction, wroteOutbox] = [false, false];
      else if (COMMIT.test(sql)) {
        const wrote = wroteOutbox;
        [inTransaction, wroteOutbox] = [false, false];
        if (wrote) afterSuccess = committed;
      } else if (OUTBOX.test(sql)) {
        if (inTransaction) wroteOutbox = true;
        else afterSuccess = committed;
      }
      if (!afterSuccess) return query(...args);
      const then = afterSuccess;
      const callback = args[args.length - 1];
      if (typeof callback === 'function') {
        return query(...args.slice(0, -1), (error: unknown, result: unknown) => {
          if (!error) then();
          (callback as (e: unknown, r: unknown) => void)(error, result);
        });
      }
      const result = query(...args);
      if (result instanceof Promise) result.then(then, () => undefined);
      return result;
    };
    client.query = watched as typeof client.query;
  });
}
