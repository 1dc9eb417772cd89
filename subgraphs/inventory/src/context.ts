import type { BaseContext } from '@flow/subgraph-kit';
import type { Loaders } from './loaders';
import type { InventoryServices } from './services';

export interface Context extends BaseContext {
  services: InventoryServices;
  loaders: Loaders;
}
