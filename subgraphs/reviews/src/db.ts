import type { PrismaClient } from './generated/prisma/client';

/** The reviews client: the kit (startSubgraph) opens it from the generated PrismaClient. */
export type ReviewsPrisma = PrismaClient;
