import { defineSubgraphConfig } from '@flow/subgraph-kit';
import { z } from '@flow/core';

export const {
  environmentShape: inventoryEnvironmentShape,
  parse: parseInventoryConfig,
  load: loadInventoryConfig,
} = defineSubgraphConfig({
  name: 'inventory',
  variables: {
    /** How often the expiry job releases reservations whose hold has run out. */
    RESERVATION_SWEEP_SECONDS: z.coerce.number().int().min(1).max(86_400).default(30),
    /** Reservations the expiry job handles per transaction. */
    RESERVATION_SWEEP_BATCH: z.coerce.number().int().min(1).max(10_000).default(200),
  },
  toConfig: (env) => ({
    sweep: { intervalSeconds: env.RESERVATION_SWEEP_SECONDS, batchSize: env.RESERVATION_SWEEP_BATCH },
  }),
});

export type InventoryConfig = ReturnType<typeof parseInventoryConfig>;
