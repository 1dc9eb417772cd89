import { runSubgraph } from '@flow/platform';
import { startPaymentsApp } from './app';
import { loadPaymentsConfig } from './env';

runSubgraph('payments', loadPaymentsConfig, startPaymentsApp);
