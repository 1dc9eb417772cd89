import { runSubgraph } from '@flow/subgraph-kit';
import { startInventoryApp } from './app';
import { loadInventoryConfig } from './env';

runSubgraph('inventory', loadInventoryConfig, startInventoryApp);
