import type { BaseContext } from '@flow/subgraph-kit';
import type { Loaders } from './loaders';
import type { OrdersServices } from './services';

export interface Context extends BaseContext {
  services: OrdersServices;
  loaders: Loaders;
}
