import type { PrismaClient } from './generated/prisma/client';

/** The notifications client: the kit (startSubgraph) opens it from the generated PrismaClient. */
export type NotificationsPrisma = PrismaClient;
