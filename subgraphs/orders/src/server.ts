import { runSubgraph } from '@flow/subgraph-kit';
import { startOrdersApp } from './app';
import { loadOrdersConfig } from './env';

runSubgraph('orders', loadOrdersConfig, startOrdersApp);
