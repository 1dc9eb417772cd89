import {
  subgraphCommonConfig,
  subgraphConfigReader,
  subgraphEnvironmentShape,
  z,
  type SubgraphCommonConfig,
} from '@flow/platform';

export const notificationsEnvironmentShape = subgraphEnvironmentShape('notifications', 8010);

export type NotificationsEnvironment = z.infer<z.ZodObject<typeof notificationsEnvironmentShape>>;

export interface NotificationsConfig extends SubgraphCommonConfig {
  host: string;
  port: number;
  logLevel: string;
}

function toConfig(env: NotificationsEnvironment): NotificationsConfig {
  return {
    ...subgraphCommonConfig('notifications', env),
    // Only the common variables: their inferred types widen to the shape's index signature.
    host: String(env.HOST),
    port: Number(env.PORT),
    logLevel: String(env.LOG_LEVEL),
  };
}

const reader = subgraphConfigReader('notifications', notificationsEnvironmentShape, toConfig);

/** Parses and checks the environment; throws naming every bad variable (tests use this). */
export const parseNotificationsConfig = reader.parse;
/** Like parseNotificationsConfig, but prints the problems and exits non-zero: for server.ts. */
export const loadNotificationsConfig = (): NotificationsConfig => reader.load();
