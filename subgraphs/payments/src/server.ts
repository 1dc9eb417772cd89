import { runSubgraph } from '@flow/subgraph-kit';
import { startPaymentsApp } from './app';
import { loadPaymentsConfig } from './env';

runSubgraph('payments', loadPaymentsConfig, startPaymentsApp);
