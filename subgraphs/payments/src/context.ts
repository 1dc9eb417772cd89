import type { BaseContext } from '@flow/subgraph-kit';
import type { Loaders } from './loaders';
import type { PaymentsServices } from './services';

export interface Context extends BaseContext {
  services: PaymentsServices;
  loaders: Loaders;
}
