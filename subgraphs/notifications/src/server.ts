import { runSubgraph } from '@flow/platform';
import { startNotificationsApp } from './app';
import { loadNotificationsConfig } from './env';

runSubgraph('notifications', loadNotificationsConfig, startNotificationsApp);
