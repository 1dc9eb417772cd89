import { runSubgraph } from '@flow/platform';
import { startInventoryApp } from './app';
import { loadInventoryConfig } from './env';

runSubgraph('inventory', loadInventoryConfig, startInventoryApp);
