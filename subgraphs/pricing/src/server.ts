import { runSubgraph } from '@flow/platform';
import { startPricingApp } from './app';
import { loadPricingConfig } from './env';

runSubgraph('pricing', loadPricingConfig, startPricingApp);
