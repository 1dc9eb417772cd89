import { errors } from '../errors';

export const roles = [
  'HOSPITAL_STAFF',
  'HOSPITAL_ADMIN',
  'VENDOR_STAFF',
  'VENDOR_ADMIN',
  'DRIVER',
  'PLATFORM_ADMIN',
  'PARTNER',
] as const;
export type Role = (typeof roles)[number];

export const organizationKinds = ['HOSPITAL', 'VENDOR', 'PLATFORM'] as const;
export type OrganizationKind = (typeof organizationKinds)[number];

/** Who is calling, as proven by a verified access token. */
export interface Viewer {
  userId: string;
  organizationId: string;
  organizationKind: OrganizationKind;
  role: Role;
  /** Scopes the router's @requiresScopes checks compare against. */
  scopes: string[];
  tokenId: string | undefined;
  /**
   * Set for a partner's machine client (role PARTNER, OAuth 2.0 client credentials): the client
   * application the token was issued to (claims `client_id`, `client_name`). `userId` is then the
   * application id, not a person's.
   */
  clientApplication?: ClientApplicationRef;
}

export interface ClientApplicationRef {
  id: string;
  /** The client name of its operations manifest: schema/clients/<name>. */
  name: string;
  /**
   * The client secret the token was obtained with (claim `sid`): when that secret ends (rotated
   * away, its overlap over) the token is refused. Always set by the verifier on a partner token;
   * optional only so viewers built by hand (tests) need not invent one.
   */
  secretId?: string;
}

/**
 * What a partner's token may be granted (README "Partners"). A partner of a hospital acts as its
 * hospital staff would, only within these: `orders:read` (orders, order), `orders:write`
 * (placeOrder, and the hospital's moves on its orders), `catalog:read` (products, compareOffers).
 * A partner of a vendor with `orders:read` sees its vendor's orders.
 */
export const PARTNER_SCOPES = ['orders:read', 'orders:write', 'catalog:read'] as const;
export type PartnerScope = (typeof PARTNER_SCOPES)[number];

export function requireViewer(viewer: Viewer | null): Viewer {
  if (!viewer) throw errors.unauthenticated();
  return viewer;
}

export function requireRole(viewer: Viewer | null, allowed: readonly Role[]): Viewer {
  const present = requireViewer(viewer);
  if (!allowed.includes(present.role)) throw errors.forbidden();
  return present;
}

/** Scopes carried by a role: the role itself plus the coarse ones @requiresScopes uses. */
export function scopesForRole(role: Role): string[] {
  const scopes = [`role:${role}`];
  if (role === 'HOSPITAL_ADMIN' || role === 'VENDOR_ADMIN' || role === 'PLATFORM_ADMIN')
    scopes.push('org:admin');
  if (role === 'PLATFORM_ADMIN') scopes.push('platform:admin');
  return scopes;
}
