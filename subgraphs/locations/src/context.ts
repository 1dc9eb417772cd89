import type { BaseContext } from '@flow/subgraph-kit';
import type { Loaders } from './loaders';
import type { LocationsServices } from './services';

export interface Context extends BaseContext {
  services: LocationsServices;
  loaders: Loaders;
}
