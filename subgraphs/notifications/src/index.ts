// The public API of the notifications subgraph: what other workspaces (scripts, tests, the platform) use.
export { startNotificationsApp, type NotificationsApp, type NotificationsAppOptions } from './app';
export { notificationsEnvironmentShape, parseNotificationsConfig, type NotificationsConfig } from './env';
export { buildNotificationsSchema } from './subgraph';
