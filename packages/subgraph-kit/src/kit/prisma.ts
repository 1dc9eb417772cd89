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
  return observeStatements(prisma, options.onQuery);
}
