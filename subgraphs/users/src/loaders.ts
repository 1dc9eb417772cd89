import DataLoader from 'dataloader';
import { rowByIdLoader } from '@flow/subgraph-kit';
import type { Organization, User } from './generated/prisma/client';
import type { UsersPrisma } from './db';
import { loadUserPages, userPageCacheKey, type UserPage, type UserPageKey } from './user-pages';

/** One set per request: every entity hop goes through these, so a list costs one query, not N. */
export interface Loaders {
  organizationById: DataLoader<string, Organization | null>;
  userById: DataLoader<string, User | null>;
  /** Organization.users: the pages of every organization in the request in one go. */
  userPage: DataLoader<UserPageKey, UserPage, string>;
}

export function createLoaders(prisma: UsersPrisma): Loaders {
  return {
    organizationById: rowByIdLoader(prisma.organization),
    userById: rowByIdLoader(prisma.user),
    userPage: new DataLoader((keys) => loadUserPages(prisma, keys), { cacheKeyFn: userPageCacheKey }),
  };
}
