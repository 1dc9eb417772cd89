import type { PrismaTransaction } from '@flow/subgraph-kit';
import type { PrismaClient } from './generated/prisma/client';

/** The users client: the kit (startSubgraph) opens it from the generated PrismaClient. */
export type UsersPrisma = PrismaClient;
export type UsersTransaction = PrismaTransaction<PrismaClient>;
