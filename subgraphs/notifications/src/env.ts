import {
  subgraphConfigReader,
  subgraphEnvironmentShape,
  type SubgraphCommonConfig,
} from '@flow/subgraph-kit';

export const notificationsEnvironmentShape = subgraphEnvironmentShape('notifications', 8010);

/** Only the common variables so far. */
export type NotificationsConfig = SubgraphCommonConfig;

const reader = subgraphConfigReader('notifications', notificationsEnvironmentShape);

/** Parses and checks the environment; throws naming every bad variable (tests use this). */
export const parseNotificationsConfig = (source: NodeJS.ProcessEnv): NotificationsConfig =>
  reader.parse(source);
/** Like parseNotificationsConfig, but prints the problems and exits non-zero: for server.ts. */
export const loadNotificationsConfig = (): NotificationsConfig => reader.load();
