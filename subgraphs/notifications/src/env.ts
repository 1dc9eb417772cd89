import {
  subgraphConfigReader,
  subgraphEnvironmentShape,
  type SubgraphCommonConfig,
  type SubgraphConfigReader,
} from '@flow/subgraph-kit';

export const notificationsEnvironmentShape = subgraphEnvironmentShape('notifications', 8010);

/** Only the common variables so far. */
export type NotificationsConfig = SubgraphCommonConfig;

export const {
  parse: parseNotificationsConfig,
  load: loadNotificationsConfig,
}: SubgraphConfigReader<NotificationsConfig> = subgraphConfigReader(
  'notifications',
  notificationsEnvironmentShape,
);
