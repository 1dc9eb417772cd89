import { PrismaPg } from '@prisma/adapter-pg';
import { CancellablePool } from './cancellable-pool';
import { notifyOutboxCommits } from './outbox-commits';

/** Where one subgraph's tables live: a database and a Postgres schema inside it. */
export interface SubgraphDatabase {
  /** A URL that `pg` understands: Prisma's `schema` parameter removed. */
  connectionString: string;
  schema: string;
  /** Postgres statement_timeout for every connection; DEFAULT_STATEMENT_TIMEOUT_MS when absent, 0: off. */
  statementTimeoutMs?: number;
}

/**
 * The default of DB_STATEMENT_TIMEOUT_MS (subgraph-env.ts): about the router's subgraph timeout
 * (SUBGRAPH_TIMEOUT_MS, 10 s), so no statement outlives its caller by much.
 */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;

/** `users` -> `USERS_DATABASE_URL`: the variable that points one subgraph at its own database. */
export function subgraphDatabaseUrlVariable(subgraph: string): string {
  return `${subgraph.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_DATABASE_URL`;
}

/**
 * A subgraph uses its own URL if it has one, else the shared DATABASE_URL. The Postgres schema
 * comes from `?schema=` as with Prisma, else it is the subgraph's name: one shared database then
 * holds every subgraph's tables side by side without any configuration.
 */
export function subgraphDatabase(
  subgraph: string,
  options: { databaseUrl?: string; ownUrl?: string; statementTimeoutMs?: number },
): SubgraphDatabase {
  const raw = options.ownUrl || options.databaseUrl;
  if (!raw) {
    throw new Error(
      `no database for subgraph "${subgraph}": set DATABASE_URL or ${subgraphDatabaseUrlVariable(subgraph)}`,
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Never echo the URL: it may hold a password.
    throw new Error(`the database URL for subgraph "${subgraph}" is not a valid URL`);
  }
  const schema = url.searchParams.get('schema') || subgraph;
  // pg would pass an unknown `schema` parameter on to the server, which rejects it.
  url.searchParams.delete('schema');
  return { connectionString: url.toString(), schema, statementTimeoutMs: options.statementTimeoutMs };
}

/**
 * A Prisma driver adapter whose queries hit `schema`. PrismaPg's `schema` option makes Prisma
 * qualify every table it names; the connection's search_path is set as well, so raw SQL with
 * unqualified names ($queryRaw) lands in the same schema. `onOutboxCommit` hears every commit
 * that wrote outbox rows (see outbox-commits.ts).
 */
export function createPgAdapter(
  database: SubgraphDatabase,
  options: { onOutboxCommit?: () => void } = {},
): PrismaPg {
  const pool = new CancellablePool({
    connectionString: withSearchPath(database),
    // Bounds every statement, lock waits included: work for a caller who gave up ends by then.
    statement_timeout: database.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    // Names the subgraph's sessions in pg_stat_activity (operators and tests find them by it).
    application_name: `flow-${database.schema}`.slice(0, 63),
  });
  if (options.onOutboxCommit) notifyOutboxCommits(pool, options.onOutboxCommit);
  // PrismaPg ends a pool it was given only when told to.
  return new PrismaPg(pool, { schema: database.schema, disposeExternalPool: true });
}

/**
 * The connection string with the schema as search_path, for plain pg clients and tools that name
 * tables unqualified. pg lets parameters in the URL override its config object, so search_path
 * goes into the URL's `options` parameter, after whatever options the operator already set there.
 */
export function withSearchPath({ connectionString, schema }: SubgraphDatabase): string {
  const url = new URL(connectionString);
  // libpq splits `options` on unescaped spaces; backslash-escape them inside the value.
  const value = `"${schema.replace(/"/g, '""')}"`.replace(/[\\ ]/g, (c) => `\\${c}`);
  const existing = url.searchParams.get('options');
  url.searchParams.set('options', `${existing ? `${existing} ` : ''}-c search_path=${value}`);
  return url.toString();
}
