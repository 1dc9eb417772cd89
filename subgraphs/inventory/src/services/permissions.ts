import { errors, isPlatformAdmin, requireViewer, type Role, type Viewer } from '@flow/platform';

const VENDOR_ROLES: readonly Role[] = ['VENDOR_STAFF', 'VENDOR_ADMIN'];
/** Who may hold stock: hospitals for their orders, platform admins on anyone's behalf. */
const RESERVING_ROLES: readonly Role[] = ['HOSPITAL_STAFF', 'HOSPITAL_ADMIN', 'PLATFORM_ADMIN'];

export const isVendorStaff = (viewer: Viewer | null) => !!viewer && VENDOR_ROLES.includes(viewer.role);

export function requirePlatformAdmin(viewer: Viewer | null): Viewer {
  const present = requireViewer(viewer);
  if (!isPlatformAdmin(present)) throw errors.forbidden('Only platform admins can change the catalog.');
  return present;
}

export function requireVendorStaff(viewer: Viewer | null): Viewer {
  const present = requireViewer(viewer);
  if (!isVendorStaff(present)) throw errors.forbidden('Only vendor staff can change stock.');
  return present;
}

export function requireReservingRole(viewer: Viewer | null): Viewer {
  const present = requireViewer(viewer);
  if (!RESERVING_ROLES.includes(present.role))
    throw errors.forbidden('Only hospital staff and platform admins can reserve stock.');
  return present;
}

/** The parties to a reservation: the organization that holds it and the vendor whose stock it is. */
export interface ReservationParties {
  organizationId: string;
  vendorOrganizationId: string;
}

/** Who may see, commit or release a reservation. */
export const canManageReservation = (viewer: Viewer | null, reservation: ReservationParties) =>
  isPlatformAdmin(viewer) ||
  (!!viewer && viewer.organizationId === reservation.organizationId) ||
  (isVendorStaff(viewer) && viewer!.organizationId === reservation.vendorOrganizationId);
