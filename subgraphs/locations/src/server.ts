import { runSubgraph } from '@flow/subgraph-kit';
import { startLocationsApp } from './app';
import { loadLocationsConfig } from './env';

runSubgraph('locations', loadLocationsConfig, startLocationsApp);
