import type { KeysetCursor } from '@flow/core';
import type { User } from './generated/prisma/client';
import type { UsersPrisma } from './db';

/** One page of one organization's people, oldest first: what Organization.users asks for. */
export interface UserPageKey {
  organizationId: string;
  size: number;
  after: KeysetCursor | null;
}

export interface UserPage {
  /** Up to size + 1 rows: the extra one only says there is a next page. */
  rows: User[];
  totalCount: number;
}

const pageShape = (key: UserPageKey) => JSON.stringify([key.size, key.after]);

export const userPageCacheKey = (key: UserPageKey) => `${key.organizationId.toLowerCase()}:${pageShape(key)}`;

/**
 * The ids of `limit` people per organization after the cursor, in (createdAt, id) order: one
 * statement for every organization. The rows themselves come from Prisma, so a column added to
 * the model needs no change here.
 */
async function pageIds(
  prisma: UsersPrisma,
  organizationIds: string[],
  limit: number,
  after: KeysetCursor | null,
): Promise<string[]> {
  const rows = after
    ? await prisma.$queryRaw<{ id: string }[]>`
        SELECT id FROM (
          SELECT u.id, row_number() OVER (PARTITION BY u.organization_id ORDER BY u.created_at, u.id) AS rank
          FROM users u
          WHERE u.organization_id = ANY(${organizationIds}::uuid[])
            AND (u.created_at, u.id) > (${new Date(after.at)}::timestamptz, ${after.id}::uuid)
        ) ranked
        WHERE ranked.rank <= ${limit}
        ORDER BY ranked.rank`
    : await prisma.$queryRaw<{ id: string }[]>`
        SELECT id FROM (
          SELECT u.id, row_number() OVER (PARTITION BY u.organization_id ORDER BY u.created_at, u.id) AS rank
          FROM users u
          WHERE u.organization_id = ANY(${organizationIds}::uuid[])
        ) ranked
        WHERE ranked.rank <= ${limit}
        ORDER BY ranked.rank`;
  return rows.map((row) => row.id);
}

/** How many people each organization has (organizations with none are absent). */
async function userCounts(prisma: UsersPrisma, organizationIds: string[]): Promise<Map<string, number>> {
  const rows = await prisma.user.groupBy({
    by: ['organizationId'],
    where: { organizationId: { in: organizationIds } },
    _count: { _all: true },
  });
  return new Map(rows.map((row) => [row.organizationId, row._count._all]));
}

/** The people with these ids, in the order of the ids (Prisma's `in` keeps no order). */
async function inIdOrder(prisma: UsersPrisma, ids: string[]): Promise<User[]> {
  if (!ids.length) return [];
  const position = new Map(ids.map((id, index) => [id, index]));
  const rows = await prisma.user.findMany({ where: { id: { in: ids } } });
  return rows.sort((a, b) => position.get(a.id)! - position.get(b.id)!);
}

/**
 * Pages asked with the same size and cursor (the usual case: one selection set over a list of
 * organizations) are fetched together: three statements for all of them, however many.
 */
export async function loadUserPages(prisma: UsersPrisma, keys: readonly UserPageKey[]): Promise<UserPage[]> {
  const groups = new Map<string, UserPageKey[]>();
  for (const key of keys) groups.set(pageShape(key), [...(groups.get(pageShape(key)) ?? []), key]);
  const pages = new Map<string, UserPage>();
  await Promise.all(
    [...groups.values()].map(async (group) => {
      const { size, after } = group[0]!;
      const organizationIds = [...new Set(group.map((key) => key.organizationId.toLowerCase()))];
      const [rows, counts] = await Promise.all([
        pageIds(prisma, organizationIds, size + 1, after).then((ids) => inIdOrder(prisma, ids)),
        userCounts(prisma, organizationIds),
      ]);
      for (const key of group) {
        const organizationId = key.organizationId.toLowerCase();
        pages.set(userPageCacheKey(key), {
          rows: rows.filter((row) => row.organizationId === organizationId),
          totalCount: counts.get(organizationId) ?? 0,
        });
      }
    }),
  );
  return keys.map((key) => pages.get(userPageCacheKey(key))!);
}
