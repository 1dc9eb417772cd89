import type { OrganizationKind, Role } from './viewer';

// The role groups, defined once: every policy and the users subgraph's invitations read these.

/** The people of a hospital. */
export const HOSPITAL_ROLES = ['HOSPITAL_STAFF', 'HOSPITAL_ADMIN'] as const satisfies readonly Role[];
/** The people who run a vendor: its drivers are not among them (they see their deliveries only). */
export const VENDOR_ROLES = ['VENDOR_STAFF', 'VENDOR_ADMIN'] as const satisfies readonly Role[];
/** The admins of a hospital or a vendor (scope `org:admin`, with platform admins). */
export const ORGANIZATION_ADMIN_ROLES = ['HOSPITAL_ADMIN', 'VENDOR_ADMIN'] as const satisfies readonly Role[];
/** Who reads an organization's own business (its notifications): its staff and admins. */
export const ORGANIZATION_STAFF_ROLES = [...HOSPITAL_ROLES, ...VENDOR_ROLES] as const;

/** The roles people have: every role but PARTNER. */
export type PersonRole = Exclude<Role, 'PARTNER'>;

/**
 * The roles an organization of each kind gives its people. PARTNER is no person's role: it is
 * given to a client application's tokens.
 */
export const rolesByOrganizationKind: Readonly<Record<OrganizationKind, readonly PersonRole[]>> = {
  HOSPITAL: HOSPITAL_ROLES,
  VENDOR: [...VENDOR_ROLES, 'DRIVER'],
  PLATFORM: ['PLATFORM_ADMIN'],
};

export const hasRole = (role: Role, group: readonly Role[]) => group.includes(role);
