import {
  decodeCursor,
  errors,
  isUuid,
  pageSize,
  requireOneOf,
  requireUuid,
  requireViewer,
  toConnection,
  type Connection,
} from '@flow/core';
import { type BaseContext, isUniqueViolation } from '@flow/subgraph-kit';
import type { GeocodeMatch } from '../geocoding';
import type { PositionSource, Site } from '../generated/prisma/client';
import type { LocationsPrisma } from '../db';
import type { Loaders } from '../loaders';
import type { AddressLocator } from './address-locator';
import { assertCan, isVisibleSite, siteCreator, visibleWhere } from './policy';
import {
  parseAddress,
  parseCreateSite,
  SITE_KINDS,
  type AddressInput,
  type CreateSiteInput,
} from './site-input';

/** What Organization resolves to here: locations knows organizations by id only. */
export interface OrganizationReference {
  id: string;
}

export interface SitePageArgs {
  kind?: string | null;
  first?: number | null;
  after?: string | null;
}

type LocationsContext = BaseContext & { loaders: Loaders };

export class SiteService {
  constructor(
    private readonly prisma: LocationsPrisma,
    private readonly locator: AddressLocator,
  ) {}

  /** null when there is no such site; FORBIDDEN when it is a hospital site the caller may not see. */
  async byId(ctx: LocationsContext, rawId: string): Promise<Site | null> {
    assertCan.readSites(ctx);
    const site = await ctx.loaders.siteById.load(requireUuid(rawId, 'id'));
    // Hidden reads as absent: null, with no error that would tell it exists.
    return site && (await isVisibleSite(ctx, site)) ? site : null;
  }

  /** A Site another subgraph referenced: null when it is not there or the caller may not see it. */
  async reference(ctx: LocationsContext, id: string): Promise<Site | null> {
    assertCan.readSites(ctx);
    const site = isUuid(id) ? await ctx.loaders.siteById.load(id) : null;
    return site && (await isVisibleSite(ctx, site)) ? site : null;
  }

  /** Sites of an organization (the caller's own by default), newest first. */
  async list(
    ctx: LocationsContext,
    args: SitePageArgs & { organizationId?: string | null },
  ): Promise<Connection<Site>> {
    const viewer = requireViewer(ctx.viewer);
    const organizationId = args.organizationId
      ? requireUuid(args.organizationId, 'organizationId')
      : viewer.organizationId;
    return this.ofOrganization(ctx, organizationId, args);
  }

  /** Another organization's hospital sites are left out, not refused: its depots are public. */
  async ofOrganization(
    ctx: LocationsContext,
    organizationId: string,
    args: SitePageArgs,
  ): Promise<Connection<Site>> {
    const viewer = requireViewer(ctx.viewer);
    const size = pageSize(args.first);
    const after = decodeCursor(args.after);
    if (after && !isUuid(after.id))
      throw errors.badUserInput('after', 'after is not a cursor this list produced.');
    const kind = args.kind ? requireOneOf(args.kind, SITE_KINDS, 'kind') : null;
    const kinds = visibleWhere(viewer, organizationId).kind.in.filter((visible) => !kind || visible === kind);
    const cursorOf = (site: Site) => ({ at: site.createdAt.toISOString(), id: site.id });
    if (!kinds.length || !isUuid(organizationId)) return toConnection([], size, 0, cursorOf, after !== null);
    const page = await ctx.loaders.sitePage.load({ organizationId, kinds, size, after });
    for (const site of page.rows) ctx.loaders.siteById.prime(site.id, site);
    return toConnection(page.rows, size, page.totalCount, cursorOf, after !== null);
  }

  /** A site of the caller's own organization; without a position, the address is geocoded. */
  async create(ctx: LocationsContext, input: CreateSiteInput): Promise<Site> {
    const viewer = siteCreator(ctx.viewer);
    const site = parseCreateSite(input);
    if (site.kind !== viewer.siteKind)
      throw errors.badUserInput(
        'input.kind',
        `input.kind must be ${viewer.siteKind}: that is the kind of site a ${viewer.organizationKind.toLowerCase()} has.`,
      );
    const placed: { lat: number; lng: number; positionSource: PositionSource } = site.position
      ? { ...site.position, positionSource: 'GIVEN' }
      : {
          ...(await this.locator.locate(ctx, site.address, 'input.address')).position,
          positionSource: 'GEOCODED',
        };
    try {
      const created = await this.prisma.site.create({
        data: {
          organizationId: viewer.organizationId,
          name: site.name,
          kind: site.kind,
          ...site.address,
          ...placed,
        },
      });
      ctx.logger.info(
        { siteId: created.id, kind: created.kind, positionSource: created.positionSource, by: viewer.userId },
        'site created',
      );
      return created;
    } catch (error) {
      if (isUniqueViolation(error))
        throw errors.conflict('Your organization already has a site with this name.', {
          field: 'input.name',
        });
      throw error;
    }
  }

  /** For address forms: where an address is, without creating anything. */
  async geocode(ctx: LocationsContext, input: AddressInput): Promise<GeocodeMatch> {
    requireViewer(ctx.viewer);
    return this.locator.locate(ctx, parseAddress(input, 'address'), 'address');
  }
}
