import { errors, requireUuid } from '@flow/core';
import { type BaseContext } from '@flow/subgraph-kit';
import type { LocationsPrisma } from '../db';
import type { Loaders } from '../loaders';
import { grantorOf } from './policy';

type LocationsContext = BaseContext & { loaders: Loaders };

/** Opens a hospital site to another organization: the vendor that delivers there. */
export class SiteGrantService {
  constructor(private readonly prisma: LocationsPrisma) {}

  /**
   * Idempotent: the orders service may grant once per order to the same site, and retry a grant
   * whose answer it lost. The first grant's record is kept.
   */
  async grant(ctx: LocationsContext, rawSiteId: string, rawOrganizationId: string): Promise<boolean> {
    const grantor = grantorOf(ctx);
    const siteId = requireUuid(rawSiteId, 'siteId');
    const organizationId = requireUuid(rawOrganizationId, 'organizationId');
    // Only callers that may see every site get here, so NOT_FOUND gives nothing away.
    if (!(await ctx.loaders.siteById.load(siteId))) throw errors.notFound('Site', siteId);
    const { count } = await this.prisma.siteAccessGrant.createMany({
      data: [{ siteId, organizationId, grantedByService: grantor.service, grantedByUserId: grantor.userId }],
      skipDuplicates: true,
    });
    ctx.loaders.siteGrant.clear({ siteId, organizationId });
    if (count > 0)
      ctx.logger.info(
        { siteId, organizationId, by: grantor.service ?? grantor.userId },
        'site access granted',
      );
    return true;
  }
}
