import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from '@flow/core';
import { subgraphDatabase, type SubgraphDatabase } from './database-url';

/**
 * Applies Prisma-layout SQL migrations without the Prisma CLI (whose native engine cannot be
 * downloaded here), bookkeeping them exactly as `prisma migrate deploy` does, so either tool can
 * take over a database the other has migrated.
 */

/** The advisory lock key of Prisma Migrate: holding the same one keeps us and it mutually exclusive. */
export const MIGRATION_LOCK_KEY = 72707369;

export interface ApplyMigrationsOptions {
  connectionString: string;
  /** The Postgres schema that holds the tables and their `_prisma_migrations`. */
  schema: string;
  /** A Prisma migrations folder: `<timestamp>_<name>/migration.sql` per migration. */
  migrationsDir: string;
  logger?: Logger;
  /** How long to wait for another process that is migrating the same database. */
  lockTimeoutMs?: number;
}

export interface AppliedMigrations {
  schema: string;
  /** Names of the migrations this call applied, oldest first; empty when it was up to date. */
  applied: string[];
}

/** The migration history and the migrations folder disagree; a person has to decide what to do. */
export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export interface MigrationFile {
  name: string;
  /** Raw bytes: the checksum is over exactly what is on disk. */
  sql: Buffer;
}

/** Prisma's checksum: lowercase hex SHA-256 of the migration.sql bytes. */
export function migrationChecksum(sql: Buffer | string): string {
  return createHash('sha256').update(sql).digest('hex');
}

/** Like Prisma, a checkout that only changed line endings (git on Windows) is not an edit. */
function checksumMatches(sql: Buffer, recorded: string): boolean {
  const text = sql.toString('utf8');
  return [sql, text.replace(/\r\n/g, '\n'), text.replace(/\r?\n/g, '\r\n')].some(
    (variant) => migrationChecksum(variant) === recorded,
  );
}

/** The migration folders, sorted by name as Prisma sorts them. */
export async function readMigrations(migrationsDir: string): Promise<MigrationFile[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    },
  );
  await checkLockfile(migrationsDir);
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(migrationsDir, name, 'migration.sql')).catch(() => {
        throw new MigrationError(`migration ${name} has no migration.sql (in ${migrationsDir})`);
      });
      return { name, sql };
    }),
  );
}

async function checkLockfile(migrationsDir: string): Promise<void> {
  const lockfile = await readFile(join(migrationsDir, 'migration_lock.toml'), 'utf8').catch(() => undefined);
  const provider = lockfile?.match(/^\s*provider\s*=\s*"([^"]*)"/m)?.[1];
  if (provider !== undefined && provider !== 'postgresql') {
    throw new MigrationError(`${migrationsDir} holds migrations for ${provider}, not postgresql`);
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  started_at: Date;
  logs: string | null;
}

export async function applyMigrations(options: ApplyMigrationsOptions): Promise<AppliedMigrations> {
  const { schema, logger } = options;
  const migrations = await readMigrations(options.migrationsDir);
  const client = new pg.Client({ connectionString: options.connectionString });
  await client.connect();
  try {
    await acquireLock(client, options.lockTimeoutMs ?? 120_000, logger, schema);
    try {
      const history = await prepareHistory(client, schema);
      const pending = checkHistory(history, migrations, options.migrationsDir, schema);
      const applied: string[] = [];
      for (const migration of pending) {
        await applyOne(client, schema, migration);
        logger?.info({ schema, migration: migration.name }, `applied migration ${migration.name}`);
        applied.push(migration.name);
      }
      return { schema, applied };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

/** Polls rather than blocks, so a stuck holder produces an error instead of a hung start. */
async function acquireLock(client: pg.Client, timeoutMs: number, logger: Logger | undefined, schema: string) {
  const deadline = Date.now() + timeoutMs;
  let warned = false;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
      MIGRATION_LOCK_KEY,
    ]);
    if (rows[0]?.locked) return;
    if (Date.now() > deadline) {
      throw new MigrationError(
        `timed out after ${timeoutMs} ms waiting for another process to finish migrating`,
      );
    }
    if (!warned) logger?.info({ schema }, 'another process is migrating this database; waiting');
    warned = true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Creates the schema and Prisma's history table when missing, and returns the history. */
async function prepareHistory(client: pg.Client, schema: string): Promise<HistoryRow[]> {
  const s = quoteIdentifier(schema);
  const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  // Checked first because CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when
  // the schema exists, which a least-privilege role given an existing schema does not have.
  if (exists.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
  const { rows: tables } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')`,
    [schema],
  );
  if (!tables.some((t) => t.name === '_prisma_migrations')) {
    if (tables.length > 0) {
      // Prisma refuses this too (P3005): applying the first migration onto unknown tables would
      // fail half-way or, worse, succeed on top of something else.
      throw new MigrationError(
        `schema "${schema}" has tables (${tables.map((t) => t.name).join(', ')}) but no migration history; ` +
          'baseline it or point the subgraph at an empty schema',
      );
    }
    // Prisma's own DDL, so `prisma migrate deploy` recognises the table as its own.
    await client.query(`CREATE TABLE ${s}._prisma_migrations (
      id                      VARCHAR(36) PRIMARY KEY NOT NULL,
      checksum                VARCHAR(64) NOT NULL,
      finished_at             TIMESTAMPTZ,
      migration_name          VARCHAR(255) NOT NULL,
      logs                    TEXT,
      rolled_back_at          TIMESTAMPTZ,
      started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
      applied_steps_count     INTEGER NOT NULL DEFAULT 0
    )`);
  }
  const { rows } = await client.query<HistoryRow>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at, started_at, logs
     FROM ${s}._prisma_migrations ORDER BY started_at`,
  );
  return rows;
}

/** Refuses any history that does not match the folder; returns the migrations still to apply. */
function checkHistory(
  history: HistoryRow[],
  migrations: MigrationFile[],
  migrationsDir: string,
  schema: string,
): MigrationFile[] {
  const live = history.filter((row) => row.rolled_back_at === null);
  const failed = live.filter((row) => row.finished_at === null);
  if (failed.length > 0) {
    const details = failed
      .map(
        (row) =>
          `  ${row.migration_name} (started ${row.started_at.toISOString()})${row.logs ? `: ${row.logs.trim()}` : ''}`,
      )
      .join('\n');
    throw new MigrationError(
      `schema "${schema}" records failed migrations; repair the database, then mark them rolled back ` +
        `(prisma migrate resolve --rolled-back, or set rolled_back_at) before migrating again:\n${details}`,
    );
  }
  const byName = new Map(migrations.map((m) => [m.name, m]));
  for (const row of live) {
    const file = byName.get(row.migration_name);
    if (!file) {
      throw new MigrationError(
        `migration ${row.migration_name} is applied in schema "${schema}" but missing from ${migrationsDir}; ` +
          'restore the folder (migrations are never deleted once applied)',
      );
    }
    if (!checksumMatches(file.sql, row.checksum)) {
      throw new MigrationError(
        `migration ${row.migration_name} was changed after it was applied in schema "${schema}"; ` +
          'revert the edit and put the change in a new migration',
      );
    }
  }
  const applied = new Set(live.map((row) => row.migration_name));
  return migrations.filter((m) => !applied.has(m.name));
}

/**
 * One transaction per migration: a failing script leaves neither half its DDL nor a history row
 * behind, so after fixing it the next run simply applies it. (Prisma records a failed row
 * instead, because not every database it supports can roll DDL back.)
 */
async function applyOne(client: pg.Client, schema: string, migration: MigrationFile): Promise<void> {
  const s = quoteIdentifier(schema);
  const id = randomUUID();
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL search_path TO ${s}`);
    // The same row Prisma writes: started, one step counted, finished; logs stay NULL.
    await client.query(
      `INSERT INTO ${s}._prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ($1, $2, $3, clock_timestamp(), 0)`,
      [id, migrationChecksum(migration.sql), migration.name],
    );
    await client.query(migration.sql.toString('utf8'));
    await client.query(
      `UPDATE ${s}._prisma_migrations
       SET applied_steps_count = applied_steps_count + 1, finished_at = clock_timestamp() WHERE id = $1`,
      [id],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`migration ${migration.name} failed in schema "${schema}": ${reason}`, {
      cause: error,
    });
  }
}

/** Drops a schema and everything in it (tests, and `reset` during development). */
export async function dropSchema(connectionString: string, schema: string): Promise<void> {
  await withClient(connectionString, (client) =>
    client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`),
  );
}

/** Leaves an empty schema, ready for applyMigrations. */
export async function resetSchema(connectionString: string, schema: string): Promise<void> {
  const s = quoteIdentifier(schema);
  await withClient(connectionString, (client) =>
    client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE; CREATE SCHEMA ${s}`),
  );
}

async function withClient<T>(connectionString: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/**
 * Where a subgraph's tables live (its own URL, else the shared one), brought up to date: what
 * every subgraph does first at start.
 */
export async function openSubgraphDatabase(
  subgraph: string,
  urls: { databaseUrl?: string; ownDatabaseUrl?: string; statementTimeoutMs?: number },
  migrationsDir: string,
  logger?: Logger,
): Promise<SubgraphDatabase> {
  const database = subgraphDatabase(subgraph, {
    databaseUrl: urls.databaseUrl,
    ownUrl: urls.ownDatabaseUrl,
    statementTimeoutMs: urls.statementTimeoutMs,
  });
  await applyMigrations({ ...database, migrationsDir, logger });
  return database;
}
