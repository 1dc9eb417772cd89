import type { BaseContext } from '@flow/subgraph-kit';
import type { AdminServices } from './services';

export interface Context extends BaseContext {
  services: AdminServices;
}
