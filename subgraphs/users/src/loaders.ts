import DataLoader from 'dataloader';
import { isUuid } from '@flow/platform';
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

function byId<Row extends { id: string }>(fetch: (ids: string[]) => Promise<Row[]>) {
  return new DataLoader<string, Row | null>(async (ids) => {
    const valid = ids.filter(isUuid);
    const rows = valid.length ? await fetch([...new Set(valid)]) : [];
    const found = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

export function createLoaders(prisma: UsersPrisma): Loaders {
  return {
    organizationById: byId((ids) => prisma.organization.findMany({ where: { id: { in: ids } } })),
    userById: byId((ids) => prisma.user.findMany({ where: { id: { in: ids } } })),
    userPage: new DataLoader((keys) => loadUserPages(prisma, keys), { cacheKeyFn: userPageCacheKey }),
  };
}
