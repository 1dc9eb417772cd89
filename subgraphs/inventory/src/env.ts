import {
  subgraphCommonConfig,
  subgraphConfigReader,
  subgraphEnvironmentShape,
  z,
  type SubgraphCommonConfig,
} from '@flow/platform';

export const inventoryEnvironmentShape = {
  ...subgraphEnvironmentShape('inventory', 8004),
  /** How often the expiry job releases reservations whose hold has run out. */
  RESERVATION_SWEEP_SECONDS: z.coerce.number().int().min(1).max(86_400).default(30),
  /** Reservations the expiry job handles per transaction. */
  RESERVATION_SWEEP_BATCH: z.coerce.number().int().min(1).max(10_000).default(200),
};

export type InventoryEnvironment = z.infer<z.ZodObject<typeof inventoryEnvironmentShape>>;

export interface InventoryConfig extends SubgraphCommonConfig {
  host: string;
  port: number;
  logLevel: string;
  sweep: { intervalSeconds: number; batchSize: number };
}

function toConfig(env: InventoryEnvironment): InventoryConfig {
  return {
    ...subgraphCommonConfig('inventory', env),
    host: env.HOST,
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    sweep: { intervalSeconds: env.RESERVATION_SWEEP_SECONDS, batchSize: env.RESERVATION_SWEEP_BATCH },
  };
}

const reader = subgraphConfigReader('inventory', inventoryEnvironmentShape, toConfig);

/** Parses and checks the environment; throws naming every bad variable (tests use this). */
export const parseInventoryConfig = reader.parse;
/** Like parseInventoryConfig, but prints the problems and exits non-zero: for server.ts. */
export const loadInventoryConfig = (): InventoryConfig => reader.load();
