import type { PrismaClient } from './generated/prisma/client';

/** The pricing client: the kit (startSubgraph) opens it from the generated PrismaClient. */
export type PricingPrisma = PrismaClient;
