import type { BaseContext } from '@flow/subgraph-kit';
import type { Loaders } from './loaders';
import type { UsersServices } from './services';

export interface Context extends BaseContext {
  services: UsersServices;
  loaders: Loaders;
  /**
   * Users that an auth mutation of this request just signed in: the caller may see them as
   * themselves although the request carried no token yet.
   */
  signedInUserIds: Set<string>;
}
