import type { BaseContext } from '@flow/subgraph-kit';
import type { Loaders } from './loaders';
import type { PricingServices } from './services';

export interface Context extends BaseContext {
  services: PricingServices;
  loaders: Loaders;
}
