import { errors } from '@flow/core';
import { type CallContext } from '@flow/subgraph-kit';
import type { InventoryPrisma } from '../db';

/** A Site as inventory knows it: only its id (locations owns the rest). */
export interface SiteReference {
  id: string;
}

/** What locations says about a site, as far as inventory cares. */
export interface SiteSummary {
  id: string;
  kind: 'HOSPITAL_SITE' | 'DEPOT';
  organization: { id: string };
}

/**
 * Looks a site up in the locations subgraph on behalf of the caller; null when there is none.
 * Over HTTP: src/clients/locations.
 */
export interface SiteLookup {
  findSite(ctx: CallContext, id: string): Promise<SiteSummary | null>;
}

/**
 * Which organization owns a depot. The answer comes from locations the first time and is kept in
 * the local `depots` table afterwards: a depot never changes owner, so the cache never goes
 * stale, and stock changes at a known depot do not depend on locations being up.
 */
export class DepotDirectory {
  constructor(
    private readonly prisma: InventoryPrisma,
    private readonly sites: SiteLookup,
  ) {}

  /** The owner of a depot already known here, without asking locations; null when unknown. */
  async knownOwner(depotId: string): Promise<string | null> {
    const depot = await this.prisma.depot.findUnique({ where: { id: depotId } });
    return depot?.organizationId ?? null;
  }

  /**
   * The owner of `depotId`. BAD_USER_INPUT naming `field` when it is not a depot;
   * SERVICE_UNAVAILABLE (nothing changed) when locations cannot answer.
   */
  async ownerOf(ctx: CallContext, depotId: string, field: string): Promise<string> {
    const known = await this.knownOwner(depotId);
    if (known) return known;
    const site = await this.sites.findSite(ctx, depotId);
    if (!site || site.kind !== 'DEPOT') throw errors.badUserInput(field, `${field} is not a depot.`);
    // Two first calls at once both insert; the loser's row is identical, so skipping it is right.
    await this.prisma.depot.createMany({
      data: [{ id: depotId, organizationId: site.organization.id }],
      skipDuplicates: true,
    });
    return site.organization.id;
  }
}
