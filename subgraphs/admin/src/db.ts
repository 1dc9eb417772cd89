import type { PrismaTransaction } from '@flow/subgraph-kit';
import type { PrismaClient } from './generated/prisma/client';

/** The admin client: the kit (startSubgraph) opens it from the generated PrismaClient. */
export type AdminPrisma = PrismaClient;
export type AdminTransaction = PrismaTransaction<PrismaClient>;
