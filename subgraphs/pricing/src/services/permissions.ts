import { errors, requireViewer, type Role, type Viewer } from '@flow/platform';

/** Who may change a vendor's prices: its own staff and admins. */
export const PRICE_EDITORS: readonly Role[] = ['VENDOR_ADMIN', 'VENDOR_STAFF'];
/** Who may change a vendor's delivery terms: its admins. */
export const TERMS_EDITORS: readonly Role[] = ['VENDOR_ADMIN'];

/**
 * A signed-in member of a vendor organization with one of `roles`. The router's @requiresScopes
 * checks the role too, but a direct call (development) or a misrouted one must not get further:
 * the organization kind is checked as well, since the change lands on the caller's organization.
 */
export function requireVendorRole(viewer: Viewer | null, roles: readonly Role[], action: string): Viewer {
  const present = requireViewer(viewer);
  if (present.organizationKind !== 'VENDOR' || !roles.includes(present.role)) {
    throw errors.forbidden(`Only ${roles.join(' or ')} of a vendor can ${action}.`);
  }
  return present;
}

/**
 * Whether the viewer may read a vendor's price list and delivery terms: hospitals (who compare
 * offers) and platform admins see every vendor's; a vendor sees only its own, not its competitors'.
 */
export function canSeeVendorTerms(viewer: Viewer, vendorId: string): boolean {
  return viewer.organizationKind !== 'VENDOR' || viewer.organizationId === vendorId;
}
