import type { PrismaPg } from '@prisma/adapter-pg';
import { createPgAdapter, type SubgraphDatabase } from '../db/database-url';
import { observeStatements } from '@flow/core';

/** What the kit needs of a subgraph's generated PrismaClient. */
export interface SubgraphPrismaClient {
  $on(event: 'query', listener: (event: { query: string }) => void): void;
  $connect(): Promise<void>;
  $disconnect(): Promise<void>;
  $queryRawUnsafe(query: string): Promise<unknown>;
}

export interface SubgraphPrismaOptions {
  adapter: PrismaPg;
  log: { emit: 'event'; level: 'query' }[];
  transactionOptions?: { maxWait?: number; timeout?: number };
}

/** A subgraph's generated `PrismaClient` class. */
export type PrismaClientClass<Client extends SubgraphPrismaClient> = new (
  options: SubgraphPrismaOptions,
) => Client;

/** The client inside an interactive transaction of `Client`. */
export type PrismaTransaction<Client extends { $transaction: (...args: never[]) => unknown }> = Parameters<
  Extract<Parameters<Client['$transaction']>[0], (...args: never[]) => unknown>
>[0];

export interface CreateSubgraphPrismaOptions {
  /** Sees every SQL statement (tests count them to prove lists do not cost a query per item). */
  onQuery?: (sql: string) => void;
  /** Called after every commit that wrote outbox rows (the kit wakes the outbox relay). */
  onOutboxCommit?: () => void;
  transactionOptions?: SubgraphPrismaOptions['transactionOptions'];
}

/**
 * A Prisma client of `PrismaClient` (a subgraph's generated class) on its schema of `database`.
 * Every statement is counted in `flow_db_statements_total`; `onQuery` (tests) sees each one too.
 */
export function createSubgraphPrisma<Client extends SubgraphPrismaClient>(
  PrismaClient: PrismaClientClass<Client>,
  database: SubgraphDatabase,
  options: CreateSubgraphPrismaOptions = {},
): Client {
  const prisma = new PrismaClient({
    adapter: createPgAdapter(database, { onOutboxCommit: options.onOutboxCommit }),
    log: [{ emit: 'event', level: 'query' }],
    ...(options.transactionOptions && { transactionOptions: options.transactionOptions }),
  });
  loadCompilerWithoutKeepingIt(prisma);
  return observeStatements(prisma, options.onQuery);
}

interface CompilerWasm {
  getQueryCompilerWasmModule: () => Promise<unknown>;
}
const lightened = new WeakSet<CompilerWasm>();
/** WebAssembly.Module (the compiler's libs have no WebAssembly types). */
const wasmModule = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => unknown } })
  .WebAssembly.Module;

/**
 * The generated client loads its query compiler's WebAssembly, a base64 string, with import():
 * the ES module cache keeps that string (2.3 MB, and the source text it came from) for the life of
 * the process, long after the compiler is instantiated. Loaded with require, the cache entry is
 * dropped as soon as the module is compiled: about 4 MB less in each process (bench:footprint).
 * Only when the client has the shape this was written against (Prisma 7: the engine's
 * `compilerWasm` loader naming the module); otherwise, or when the module does not resolve from
 * here, Prisma loads it its own way.
 */
function loadCompilerWithoutKeepingIt(prisma: object): void {
  const compiler = (prisma as { _engineConfig?: { compilerWasm?: CompilerWasm } })._engineConfig
    ?.compilerWasm;
  if (typeof compiler?.getQueryCompilerWasmModule !== 'function' || lightened.has(compiler)) return;
  const load = compiler.getQueryCompilerWasmModule;
  const original = () => load.call(compiler);
  const specifier = /["']([^"']+\.wasm-base64\.js)["']/.exec(load.toString())?.[1];
  if (!specifier) return;
  lightened.add(compiler);
  compiler.getQueryCompilerWasmModule = async () => {
    let path: string;
    try {
      path = require.resolve(specifier);
    } catch {
      return original();
    }
    try {
      const { wasm } = require(path) as { wasm: string };
      return new wasmModule(Buffer.from(wasm, 'base64'));
    } finally {
      delete require.cache[path];
    }
  };
}
