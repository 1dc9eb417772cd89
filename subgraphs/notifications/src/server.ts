import { runSubgraph } from '@flow/subgraph-kit';
import { startNotificationsApp } from './app';
import { loadNotificationsConfig } from './env';

runSubgraph('notifications', loadNotificationsConfig, startNotificationsApp);
