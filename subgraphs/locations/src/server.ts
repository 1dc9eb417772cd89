import { runSubgraph } from '@flow/platform';
import { startLocationsApp } from './app';
import { loadLocationsConfig } from './env';

runSubgraph('locations', loadLocationsConfig, startLocationsApp);
