import type { BaseContext } from '@flow/platform';
import type { Loaders } from './loaders';
import type { PaymentsServices } from './services';

export interface Context extends BaseContext {
  services: PaymentsServices;
  loaders: Loaders;
}
