import { errors, isPlatformAdmin, requireViewer, type BaseContext, type Viewer } from '@flow/platform';
import type { OrganizationKind } from '@flow/platform';
import type { SiteKind } from '../generated/prisma/client';
import type { Loaders } from '../loaders';

/**
 * Who may see and create which sites. Depots are where vendors ship from: every signed-in user may
 * see them (to compare offers, follow a delivery). A hospital's sites are its own business: the
 * hospital and platform admins see them, and so do organizations it was granted to (the vendor of
 * an order delivered there) and the orders service, which needs every delivery address.
 */

export interface SiteOwnership {
  id: string;
  kind: SiteKind;
  organizationId: string;
}

type AccessContext = Pick<BaseContext, 'viewer' | 'callerService'> & { loaders: Pick<Loaders, 'siteGrant'> };

/** Only a valid signature makes callerService `orders` (see @flow/platform's subgraph server). */
export const isOrdersService = (ctx: Pick<BaseContext, 'callerService'>) => ctx.callerService === 'orders';

/** Who reads single sites: a signed-in user, or the orders service with or without one. */
export function requireSiteReader(ctx: Pick<BaseContext, 'viewer' | 'callerService'>): void {
  if (!isOrdersService(ctx)) requireViewer(ctx.viewer);
}

/** What is visible without a grant: depots, one's own sites, everything for platform admins. */
export function canSeeSite(viewer: Viewer | null, site: Omit<SiteOwnership, 'id'>): boolean {
  if (!viewer) return false;
  return site.kind === 'DEPOT' || isPlatformAdmin(viewer) || viewer.organizationId === site.organizationId;
}

/**
 * Whether the caller may see the site. Grants are read through a loader only for the sites that
 * need one, so a list of references costs one statement for the grants however long it is.
 */
export async function isVisibleSite(ctx: AccessContext, site: SiteOwnership): Promise<boolean> {
  if (isOrdersService(ctx)) return true;
  const viewer = requireViewer(ctx.viewer);
  if (canSeeSite(viewer, site)) return true;
  return !!(await ctx.loaders.siteGrant.load({ siteId: site.id, organizationId: viewer.organizationId }));
}

/** The site, or NOT_FOUND exactly as for a site that does not exist: no hint that it does. */
export async function requireVisibleSite<Site extends SiteOwnership>(
  ctx: AccessContext,
  site: Site,
): Promise<Site> {
  if (!(await isVisibleSite(ctx, site))) throw errors.notFound('Site', site.id);
  return site;
}

/** Who the grant is recorded as coming from. */
export interface Grantor {
  service: string | null;
  userId: string | null;
}

/** Site access is granted by the orders service (as orders go to vendors) or a platform admin. */
export function requireSiteGrantor(ctx: Pick<BaseContext, 'viewer' | 'callerService'>): Grantor {
  if (isOrdersService(ctx)) return { service: 'orders', userId: ctx.viewer?.userId ?? null };
  const viewer = requireViewer(ctx.viewer);
  if (!isPlatformAdmin(viewer))
    throw errors.forbidden('Only the orders service or a platform admin can grant access to a site.');
  return { service: null, userId: viewer.userId };
}

/** The kinds of an organization's sites that the viewer may list. */
export function visibleKindsOf(viewer: Viewer, organizationId: string): SiteKind[] {
  return isPlatformAdmin(viewer) || viewer.organizationId === organizationId
    ? ['HOSPITAL_SITE', 'DEPOT']
    : ['DEPOT'];
}

/** Hospitals have hospital sites, vendors depots; the platform organization has none. */
export const siteKindOfOrganization: Record<OrganizationKind, SiteKind | null> = {
  HOSPITAL: 'HOSPITAL_SITE',
  VENDOR: 'DEPOT',
  PLATFORM: null,
};

/** Sites are created by an organization's own admins, for their organization. */
export function requireSiteCreator(viewer: Viewer | null): Viewer & { siteKind: SiteKind } {
  const present = requireViewer(viewer);
  const siteKind = siteKindOfOrganization[present.organizationKind];
  if (!siteKind || (present.role !== 'HOSPITAL_ADMIN' && present.role !== 'VENDOR_ADMIN'))
    throw errors.forbidden('Only a hospital’s or vendor’s admins can create its sites.');
  return { ...present, siteKind };
}
