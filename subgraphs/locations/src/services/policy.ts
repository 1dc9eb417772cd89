import { assertionsFor, errors, is, requireViewer, type Caller, type Viewer } from '@flow/core';
import type { OrganizationKind } from '@flow/core';
import type { SiteKind } from '../generated/prisma/client';
import type { Loaders } from '../loaders';

// Who may see and create which sites (docs/access.md, "locations"). Depots are where vendors ship
// from: every signed-in user may see them (to compare offers, follow a delivery). A hospital's
// sites are its own business: the hospital and platform admins see them, and so do organizations
// it was granted to (the vendor of an order delivered there) and the orders service, which needs
// every delivery address.

const ordersService = is.service('orders');

export interface SiteOwnership {
  id: string;
  kind: SiteKind;
  organizationId: string;
}

/**
 * Whether the caller may see the site; `granted`: the site was granted to the viewer's
 * organization (read only for the sites that need it, see isVisibleSite).
 */
export function canSee(caller: Caller, site: Omit<SiteOwnership, 'id'>, granted = false): boolean {
  if (ordersService(caller)) return true;
  const viewer = caller.viewer;
  if (!viewer) return false;
  return (
    site.kind === 'DEPOT' || is.platformAdmin(viewer) || is.memberOf(site.organizationId)(viewer) || granted
  );
}

const ALL_KINDS: SiteKind[] = ['HOSPITAL_SITE', 'DEPOT'];

/**
 * The sites of an organization a list shows the viewer: all of one's own (every organization's
 * for platform admins), only the depots of others. A granted hospital site is read by id, not
 * listed: the grant is for one order's deliveries, not a directory of the hospital.
 */
export function visibleWhere(viewer: Viewer, organizationId: string) {
  const own = is.platformAdmin(viewer) || is.memberOf(organizationId)(viewer);
  return { organizationId, kind: { in: own ? ALL_KINDS : (['DEPOT'] as SiteKind[]) } };
}

/** Hospitals have hospital sites, vendors depots; the platform organization has none. */
export const siteKindOfOrganization: Record<OrganizationKind, SiteKind | null> = {
  HOSPITAL: 'HOSPITAL_SITE',
  VENDOR: 'DEPOT',
  PLATFORM: null,
};

export const can = {
  /** Single sites (canSee decides which): a signed-in user, or the orders service. */
  readSites: (caller: Caller) => ordersService(caller) || is.signedIn(caller.viewer),
  /** Site access is granted by the orders service (as orders go to vendors) or a platform admin. */
  grantAccess: (caller: Caller) => ordersService(caller) || is.platformAdmin(caller.viewer),
  /** Sites are created by an organization's own admins, for their organization. */
  createSite: (viewer: Viewer | null) => is.organizationAdmin(viewer),
};

export const assertCan = assertionsFor(can, {
  readSites: 'You are not allowed to do this.',
  grantAccess: 'Only the orders service or a platform admin can grant access to a site.',
  createSite: 'Only a hospital’s or vendor’s admins can create its sites.',
});

/** The creating admin, with the kind of site its organization has. */
export function siteCreator(viewer: Viewer | null): Viewer & { siteKind: SiteKind } {
  assertCan.createSite(viewer);
  const present = requireViewer(viewer);
  const siteKind = siteKindOfOrganization[present.organizationKind];
  if (!siteKind) throw errors.forbidden('Only a hospital’s or vendor’s admins can create its sites.');
  return { ...present, siteKind };
}

/** Who a grant is recorded as coming from. */
export interface Grantor {
  service: string | null;
  userId: string | null;
}

export function grantorOf(caller: Caller): Grantor {
  assertCan.grantAccess(caller);
  if (ordersService(caller)) return { service: 'orders', userId: caller.viewer?.userId ?? null };
  return { service: null, userId: requireViewer(caller.viewer).userId };
}

type VisibilityContext = Caller & { loaders: Pick<Loaders, 'siteGrant'> };

/**
 * Whether the caller may see the site. Grants are read through a loader only for the sites that
 * need one, so a list of references costs one statement for the grants however long it is.
 */
export async function isVisibleSite(ctx: VisibilityContext, site: SiteOwnership): Promise<boolean> {
  if (canSee(ctx, site)) return true;
  const viewer = requireViewer(ctx.viewer);
  const grant = await ctx.loaders.siteGrant.load({ siteId: site.id, organizationId: viewer.organizationId });
  return canSee(ctx, site, !!grant);
}

/** The site, or NOT_FOUND exactly as for a site that does not exist: no hint that it does. */
export async function requireVisibleSite<Site extends SiteOwnership>(
  ctx: VisibilityContext,
  site: Site,
): Promise<Site> {
  if (!(await isVisibleSite(ctx, site))) throw errors.notFound('Site', site.id);
  return site;
}
