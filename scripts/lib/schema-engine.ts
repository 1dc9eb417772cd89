import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Prisma's schema engine as WebAssembly (@prisma/schema-engine-wasm): it computes the SQL between
 * two datamodels with no database, no network and no native binary.
 *
 * The package is ESM that imports its .wasm file directly, which Node 20 cannot do without a flag
 * and jest (CommonJS) cannot do at all. So the wasm-bindgen glue is loaded with Node's own require
 * (require of ESM works from Node 20.19, outside jest's module registry) and the wasm instantiated
 * here, as prisma-engines' own test harness does.
 */

interface DiffTarget {
  tag: 'empty' | 'schemaDatamodel';
  files?: { path: string; content: string }[];
}
interface WasmEngine {
  diff(params: {
    from: DiffTarget;
    to: DiffTarget;
    script: boolean;
    exitCode: boolean | null;
    filters: { externalTables: string[]; externalEnums: string[] };
  }): Promise<{ exitCode: number; stdout: string | null }>;
}
// Only what is used here: without the DOM lib, TypeScript knows no WebAssembly types.
type WasmExports = Record<string, unknown>;
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, object>) => { exports: WasmExports };
};
interface WasmGlue {
  __wbg_set_wasm(exports: WasmExports): void;
  SchemaEngine: { new: (options: unknown, log: (line: string) => void, adapter: object) => Promise<WasmEngine> };
}

/**
 * The engine insists on a database adapter and, while starting, asks the server one question:
 * whether the default schema exists and which version it runs. That one question gets a fixed
 * answer (PostgreSQL 15, the oldest server we run); anything else means the engine wanted a real
 * database, which a diff between datamodels must never need.
 */
const OFFLINE_SERVER_VERSION = { text: 'PostgreSQL 15.0 (offline)', number: 150000 };

function offlineAdapter() {
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

let engine: Promise<WasmEngine> | undefined;

function loadEngine(): Promise<WasmEngine> {
  engine ??= (async () => {
    const nodeRequire = createRequire(__filename);
    const gluePath = nodeRequire.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const glue = nodeRequire(gluePath) as WasmGlue;
    const module = new WebAssembly.Module(readFileSync(join(dirname(gluePath), 'schema_engine_bg.wasm')));
    const instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': glue });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    // Wraps results and errors the way the engine expects from any Prisma driver adapter.
    const { bindMigrationAwareSqlAdapterFactory } = nodeRequire('@prisma/driver-adapter-utils') as {
      bindMigrationAwareSqlAdapterFactory(factory: object): object;
    };
    return glue.SchemaEngine.new(
      { datamodels: undefined },
      () => undefined,
      bindMigrationAwareSqlAdapterFactory(offlineAdapter()),
    );
  })();
  return engine;
}

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
  const result = await (
    await loadEngine()
  ).diff({
    from: from === null ? { tag: 'empty' } : target(from),
    to: target(to),
    script: true,
    // exitCode 2 means "there is a difference", which is how "nothing to do" is told apart.
    exitCode: true,
    filters: { externalTables: [], externalEnums: [] },
  });
  if (result.exitCode !== 2 || !result.stdout) return null;
  return withoutDefaultSchema(result.stdout);
}
