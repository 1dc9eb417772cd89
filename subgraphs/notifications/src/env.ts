import { defineSubgraphConfig } from '@flow/subgraph-kit';

/** Only the common variables so far. */
export const {
  environmentShape: notificationsEnvironmentShape,
  parse: parseNotificationsConfig,
  load: loadNotificationsConfig,
} = defineSubgraphConfig({ name: 'notifications' });

export type NotificationsConfig = ReturnType<typeof parseNotificationsConfig>;
