import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runInThisContext } from 'node:vm';
import { withSearchPath } from '@flow/subgraph-kit';
import { readMigrations } from '@flow/subgraph-kit';

/**
 * Prisma's schema engine as WebAssembly (@prisma/schema-engine-wasm): the code behind
 * `prisma migrate diff` and `prisma migrate status`, with no native binary and no download.
 */

interface DiffTarget {
  tag: 'empty' | 'schemaDatamodel';
  files?: { path: string; content: string }[];
}
const NO_FILTERS = { externalTables: [], externalEnums: [] };

/** Prisma's verdict on a database's migration history; `history` null means in sync. */
export interface MigrationStatus {
  editedMigrationNames: string[];
  failedMigrationNames: string[];
  hasMigrationsTable: boolean;
  history: { diagnostic: string } | null;
}

interface WasmEngine {
  diff(params: {
    from: DiffTarget;
    to: DiffTarget;
    script: boolean;
    exitCode: boolean | null;
    filters: typeof NO_FILTERS;
  }): Promise<{ exitCode: number; stdout: string | null }>;
  diagnoseMigrationHistory(params: {
    migrationsList: object;
    optInToShadowDatabase: boolean;
    filters: typeof NO_FILTERS;
  }): Promise<MigrationStatus>;
  free(): void;
}
// Only what is used here: without the DOM lib, TypeScript knows no WebAssembly types.
type WasmExports = Record<string, unknown>;
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, object>) => { exports: WasmExports };
};
interface WasmGlue {
  __wbg_set_wasm(exports: WasmExports): void;
  SchemaEngine: {
    new: (options: unknown, log: (line: string) => void, adapter: object) => Promise<WasmEngine>;
  };
}

/**
 * The package is ESM that imports its .wasm file directly, which Node 20 cannot do without a flag
 * and jest (CommonJS) cannot do at all. So the wasm-bindgen glue is loaded with Node's own require
 * (require of ESM works from Node 20.19) and the wasm instantiated here, as prisma-engines' own
 * test harness does. Jest replaces `module` and process.getBuiltinModule inside its sandbox;
 * code run by vm runs in Node's real global scope, so Node's own require is fetched from there.
 * Everything handed to the engine (adapters, pg) comes from that same require.
 */
function nodeRequire(): NodeJS.Require {
  const realModule = runInThisContext(
    'process.getBuiltinModule("node:module")',
  ) as typeof import('node:module');
  return realModule.createRequire(__filename);
}

let loaded: { glue: WasmGlue; load: NodeJS.Require } | undefined;
function loadGlue(): { glue: WasmGlue; load: NodeJS.Require } {
  if (loaded) return loaded;
  const load = nodeRequire();
  const gluePath = load.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const glue = load(gluePath) as WasmGlue;
  const module = new WebAssembly.Module(readFileSync(join(dirname(gluePath), 'schema_engine_bg.wasm')));
  const instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': glue });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  loaded = { glue, load };
  return loaded;
}

/** An engine on a Prisma driver adapter factory, wrapped as the engine expects any adapter. */
function newEngine(adapterFactory: object): Promise<WasmEngine> {
  const { glue, load } = loadGlue();
  const { bindMigrationAwareSqlAdapterFactory } = load('@prisma/driver-adapter-utils') as {
    bindMigrationAwareSqlAdapterFactory(factory: object): object;
  };
  return glue.SchemaEngine.new(
    { datamodels: undefined },
    () => undefined,
    bindMigrationAwareSqlAdapterFactory(adapterFactory),
  );
}

/**
 * The engine insists on a database adapter and, while starting, asks the server one question:
 * whether the default schema exists and which version it runs. That one question gets a fixed
 * answer (PostgreSQL 15, the oldest server we run); anything else means the engine wanted a real
 * database, which a diff between datamodels must never need.
 */
const OFFLINE_SERVER_VERSION = { text: 'PostgreSQL 15.0 (offline)', number: 150000 };

function offlineAdapterFactory() {
  const refuse = async (query?: { sql: string }): Promise<never> => {
    throw new Error(`the offline schema engine has no database (it tried: ${query?.sql ?? 'a transaction'})`);
  };
  const adapter = {
    provider: 'postgres',
    adapterName: 'flow-offline',
    async queryRaw(query: { sql: string }) {
      if (!/server_version_num/.test(query.sql)) return refuse(query);
      // Column types are driver-adapter-utils' ColumnTypeEnum: Boolean 5, Text 7, Int32 0.
      return {
        columnNames: ['exists', 'version', 'numeric_version'],
        columnTypes: [5, 7, 0],
        rows: [[true, OFFLINE_SERVER_VERSION.text, OFFLINE_SERVER_VERSION.number]],
      };
    },
    executeRaw: refuse,
    executeScript: refuse,
    startTransaction: () => refuse(),
    getConnectionInfo: () => ({ supportsRelationJoins: true }),
    dispose: async () => undefined,
  };
  return {
    provider: 'postgres',
    adapterName: 'flow-offline',
    connect: async () => adapter,
    connectToShadowDb: async () => adapter,
  };
}

let offlineEngine: Promise<WasmEngine> | undefined;

/**
 * The engine puts every model of a schema without `schemas = [...]` in "public" and opens its
 * first script with CREATE SCHEMA "public". Our tables are unqualified and land in the schema of
 * the connection, so that statement would only create a stray "public" schema (and needs CREATE
 * on the database). Dropping it changes nothing else: the drift check compares the results.
 */
function withoutDefaultSchema(sql: string): string {
  return sql.replace(/-- CreateSchema\r?\nCREATE SCHEMA IF NOT EXISTS "public";\r?\n(\r?\n)?/g, '');
}

/**
 * The SQL that turns a database described by `from` (a schema.prisma text, or null for an
 * empty database) into one described by `to`; null when they describe the same database.
 */
export async function diffDatamodels(from: string | null, to: string): Promise<string | null> {
  const target = (content: string): DiffTarget => ({
    tag: 'schemaDatamodel',
    files: [{ path: 'schema.prisma', content }],
  });
  offlineEngine ??= newEngine(offlineAdapterFactory());
  const result = await (
    await offlineEngine
  ).diff({
    from: from === null ? { tag: 'empty' } : target(from),
    to: target(to),
    script: true,
    // exitCode 2 means "there is a difference", which is how "nothing to do" is told apart.
    exitCode: true,
    filters: NO_FILTERS,
  });
  if (result.exitCode !== 2 || !result.stdout) return null;
  return withoutDefaultSchema(result.stdout);
}

/**
 * What `prisma migrate status` would say about a schema, from Prisma's own code reading the
 * `_prisma_migrations` table: the proof that our bookkeeping is the one Prisma expects.
 */
export async function prismaMigrationStatus(options: {
  connectionString: string;
  schema: string;
  migrationsDir: string;
}): Promise<MigrationStatus> {
  const { load } = loadGlue();
  const pg = load('pg') as typeof import('pg');
  const { PrismaPg } = load('@prisma/adapter-pg') as typeof import('@prisma/adapter-pg');
  // A pool of our own, so that it can be closed: the engine never disposes its adapter. The
  // engine looks for _prisma_migrations on the search_path, not in PrismaPg's `schema`.
  const pool = new pg.Pool({ connectionString: withSearchPath(options) });
  const engine = await newEngine(new PrismaPg(pool, { schema: options.schema }));
  try {
    const migrations = await readMigrations(options.migrationsDir);
    const lockfile = join(options.migrationsDir, 'migration_lock.toml');
    return await engine.diagnoseMigrationHistory({
      migrationsList: {
        baseDir: options.migrationsDir,
        lockfile: { path: 'migration_lock.toml', content: readFileSync(lockfile, 'utf8') },
        shadowDbInitScript: '',
        migrationDirectories: migrations.map((m) => ({
          path: m.name,
          migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: m.sql.toString('utf8') } },
        })),
      },
      optInToShadowDatabase: false,
      filters: NO_FILTERS,
    });
  } finally {
    engine.free();
    await pool.end();
  }
}
