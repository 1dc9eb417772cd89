import DataLoader from 'dataloader';
import { rowByIdLoader } from '@flow/subgraph-kit';
import { type KeysetCursor } from '@flow/core';
import type { Site, SiteKind } from './generated/prisma/client';
import type { LocationsPrisma } from './db';
import { siteCounts, sitePages } from './site-sql';

/** One page of one organization's sites: what Organization.sites and Query.sites ask for. */
export interface SitePageKey {
  organizationId: string;
  kinds: SiteKind[];
  size: number;
  after: KeysetCursor | null;
}

export interface SitePage {
  /** Up to size + 1 rows: the extra one only says there is a next page. */
  rows: Site[];
  totalCount: number;
}

/** Whether `organizationId` was granted access to the site (grantSiteAccess). */
export interface SiteGrantKey {
  siteId: string;
  organizationId: string;
}

/** One set per request: every entity hop goes through these, so a list costs one query, not N. */
export interface Loaders {
  siteById: DataLoader<string, Site | null>;
  sitePage: DataLoader<SitePageKey, SitePage, string>;
  siteGrant: DataLoader<SiteGrantKey, boolean, string>;
}

const pageShape = (key: SitePageKey) => JSON.stringify([key.kinds, key.size, key.after]);

/**
 * Pages asked with the same kinds, size and cursor (the usual case: one selection set over a
 * list of organizations) are fetched together, two statements for all of them.
 */
async function loadSitePages(prisma: LocationsPrisma, keys: readonly SitePageKey[]): Promise<SitePage[]> {
  const groups = new Map<string, SitePageKey[]>();
  for (const key of keys) groups.set(pageShape(key), [...(groups.get(pageShape(key)) ?? []), key]);
  const pages = new Map<string, SitePage>();
  await Promise.all(
    [...groups.values()].map(async (group) => {
      const { kinds, size, after } = group[0]!;
      const organizationIds = [...new Set(group.map((key) => key.organizationId))];
      const [rows, counts] = await Promise.all([
        sitePages(prisma, { organizationIds, kinds, limit: size + 1, after }),
        siteCounts(prisma, organizationIds, kinds),
      ]);
      for (const key of group)
        pages.set(sitePageCacheKey(key), {
          rows: rows.filter((row) => row.organizationId === key.organizationId),
          totalCount: counts.get(key.organizationId) ?? 0,
        });
    }),
  );
  return keys.map((key) => pages.get(sitePageCacheKey(key))!);
}

export const siteGrantCacheKey = (key: SiteGrantKey) =>
  `${key.siteId.toLowerCase()}:${key.organizationId.toLowerCase()}`;

/**
 * Every grant asked about in one tick, in one statement. The pairs are matched in memory: within a
 * request they share the viewer's organization, so the cross product the statement reads is no
 * bigger than the pairs themselves.
 */
async function loadSiteGrants(prisma: LocationsPrisma, keys: readonly SiteGrantKey[]): Promise<boolean[]> {
  const siteIds = [...new Set(keys.map((key) => key.siteId.toLowerCase()))];
  const organizationIds = [...new Set(keys.map((key) => key.organizationId.toLowerCase()))];
  const rows = await prisma.siteAccessGrant.findMany({
    where: { siteId: { in: siteIds }, organizationId: { in: organizationIds } },
    select: { siteId: true, organizationId: true },
  });
  const granted = new Set(rows.map(siteGrantCacheKey));
  return keys.map((key) => granted.has(siteGrantCacheKey(key)));
}

export const sitePageCacheKey = (key: SitePageKey) => `${key.organizationId}:${pageShape(key)}`;

export function createLoaders(prisma: LocationsPrisma): Loaders {
  return {
    siteById: rowByIdLoader(prisma.site),
    sitePage: new DataLoader((keys) => loadSitePages(prisma, keys), { cacheKeyFn: sitePageCacheKey }),
    siteGrant: new DataLoader((keys) => loadSiteGrants(prisma, keys), { cacheKeyFn: siteGrantCacheKey }),
  };
}
