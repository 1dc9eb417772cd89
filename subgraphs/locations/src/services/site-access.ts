import { errors, isPlatformAdmin, requireViewer, type Viewer } from '@flow/platform';
import type { OrganizationKind } from '@flow/platform';
import type { SiteKind } from '../generated/prisma/client';

/**
 * Who may see and create which sites. Depots are where vendors ship from: every signed-in user may
 * see them (to compare offers, follow a delivery). A hospital's sites are its own business: only
 * the hospital and platform admins see them.
 */

export interface SiteOwnership {
  kind: SiteKind;
  organizationId: string;
}

export function canSeeSite(viewer: Viewer | null, site: SiteOwnership): boolean {
  if (!viewer) return false;
  return site.kind === 'DEPOT' || isPlatformAdmin(viewer) || viewer.organizationId === site.organizationId;
}

export function requireVisibleSite<Site extends SiteOwnership>(viewer: Viewer | null, site: Site): Site {
  requireViewer(viewer);
  if (!canSeeSite(viewer, site)) throw errors.forbidden('Only the hospital itself can see its sites.');
  return site;
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
