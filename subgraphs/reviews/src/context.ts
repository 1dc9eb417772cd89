import type { BaseContext } from '@flow/subgraph-kit';
import type { Loaders } from './loaders';
import type { ReviewsServices } from './services';

export interface Context extends BaseContext {
  services: ReviewsServices;
  loaders: Loaders;
}
