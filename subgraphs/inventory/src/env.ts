import {
  subgraphConfigReader,
  subgraphEnvironmentShape,
  type SubgraphCommonConfig,
  type SubgraphConfigReader,
} from '@flow/subgraph-kit';
import { z } from '@flow/core';

export const inventoryEnvironmentShape = {
  ...subgraphEnvironmentShape('inventory', 8004),
  /** How often the expiry job releases reservations whose hold has run out. */
  RESERVATION_SWEEP_SECONDS: z.coerce.number().int().min(1).max(86_400).default(30),
  /** Reservations the expiry job handles per transaction. */
  RESERVATION_SWEEP_BATCH: z.coerce.number().int().min(1).max(10_000).default(200),
};

export type InventoryEnvironment = z.infer<z.ZodObject<typeof inventoryEnvironmentShape>>;

export interface InventoryConfig extends SubgraphCommonConfig {
  sweep: { intervalSeconds: number; batchSize: number };
}

export const {
  parse: parseInventoryConfig,
  load: loadInventoryConfig,
}: SubgraphConfigReader<InventoryConfig> = subgraphConfigReader(
  'inventory',
  inventoryEnvironmentShape,
  (env) => ({
    sweep: { intervalSeconds: env.RESERVATION_SWEEP_SECONDS, batchSize: env.RESERVATION_SWEEP_BATCH },
  }),
);
