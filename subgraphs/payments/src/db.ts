import type { PrismaClient } from './generated/prisma/client';

/** The payments client: the kit (startSubgraph) opens it from the generated PrismaClient. */
export type PaymentsPrisma = PrismaClient;
