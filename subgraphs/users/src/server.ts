import { runSubgraph } from '@flow/subgraph-kit';
import { startUsersApp } from './app';
import { loadUsersEnvironment } from './env';

runSubgraph('users', loadUsersEnvironment, startUsersApp);
