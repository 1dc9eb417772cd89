import type { PrismaTransaction } from '@flow/subgraph-kit';
import type { PrismaClient } from './generated/prisma/client';

/** The orders client: the kit (startSubgraph) opens it from the generated PrismaClient. */
export type OrdersPrisma = PrismaClient;
export type OrdersTransaction = PrismaTransaction<PrismaClient>;
