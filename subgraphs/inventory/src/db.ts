import type { PrismaTransaction } from '@flow/subgraph-kit';
import type { PrismaClient } from './generated/prisma/client';

/** The inventory client: the kit (startSubgraph) opens it from the generated PrismaClient. */
export type InventoryPrisma = PrismaClient;
/** The client inside an interactive transaction. */
export type InventoryTransaction = PrismaTransaction<PrismaClient>;

/**
 * Reservations of one popular product queue on its stock row: under a burst a transaction may
 * wait for a pooled connection longer than Prisma's 2 s default before it even starts.
 */
export const inventoryTransactionOptions = { maxWait: 15_000, timeout: 15_000 };
