import { runSubgraph } from '@flow/subgraph-kit';
import { startAdminApp } from './app';
import { loadAdminConfig } from './env';

runSubgraph('admin', loadAdminConfig, startAdminApp);
