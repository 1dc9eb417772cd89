import type { PrismaClient } from './generated/prisma/client';

/** The locations client: the kit (startSubgraph) opens it from the generated PrismaClient. */
export type LocationsPrisma = PrismaClient;
