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
}

export function requireViewer(viewer: Viewer | null): Viewer {
  if (!viewer) throw errors.unauthenticated();
  return viewer;
}

export function requireRole(viewer: Viewer | null, allowed: readonly Role[]): Viewer {
  const present = requireViewer(viewer);
  if (!allowed.includes(present.role)) throw errors.forbidden();
  return present;
}

export const isPlatformAdmin = (viewer: Viewer | null): boolean => viewer?.role === 'PLATFORM_ADMIN';

/** Scopes carried by a role: the role itself plus the coarse ones @requiresScopes uses. */
export function scopesForRole(role: Role): string[] {
  const scopes = [`role:${role}`];
  if (role === 'HOSPITAL_ADMIN' || role === 'VENDOR_ADMIN' || role === 'PLATFORM_ADMIN')
    scopes.push('org:admin');
  if (role === 'PLATFORM_ADMIN') scopes.push('platform:admin');
  return scopes;
}
