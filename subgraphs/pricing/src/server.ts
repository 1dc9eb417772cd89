import { runSubgraph } from '@flow/subgraph-kit';
import { startPricingApp } from './app';
import { loadPricingConfig } from './env';

runSubgraph('pricing', loadPricingConfig, startPricingApp);
