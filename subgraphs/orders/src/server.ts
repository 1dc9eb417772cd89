import { runSubgraph } from '@flow/platform';
import { startOrdersApp } from './app';
import { loadOrdersConfig } from './env';

runSubgraph('orders', loadOrdersConfig, startOrdersApp);
