import { runSubgraph } from '@flow/platform';
import { startUsersApp } from './app';
import { loadUsersEnvironment } from './env';

runSubgraph('users', loadUsersEnvironment, startUsersApp);
