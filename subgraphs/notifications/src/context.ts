import type { BaseContext } from '@flow/subgraph-kit';
import type { Loaders } from './loaders';
import type { NotificationsServices } from './services';

export interface Context extends BaseContext {
  services: NotificationsServices;
  loaders: Loaders;
}
