import { errors, partnerHas, requireViewer, type PartnerScope, type Role, type Viewer } from '@flow/platform';
import type { Order } from '../generated/prisma/client';
import { VISIBLE_STATUSES } from './status-machine';

const HOSPITAL_ROLES: readonly Role[] = ['HOSPITAL_STAFF', 'HOSPITAL_ADMIN'];
const VENDOR_ROLES: readonly Role[] = ['VENDOR_STAFF', 'VENDOR_ADMIN'];

type Parties = Pick<Order, 'status' | 'hospitalOrganizationId' | 'vendorOrganizationId' | 'driverId'>;

/**
 * A partner's client application acts as its organization's staff within its scopes (README
 * "Partners"): orders:read to see the organization's orders, orders:write to place and move them.
 */
const actsAsStaff = (viewer: Viewer, staff: readonly Role[], scope: PartnerScope) =>
  staff.includes(viewer.role) || partnerHas(viewer, scope);

const isHospitalOf = (viewer: Viewer, order: Parties, scope: PartnerScope = 'orders:read') =>
  actsAsStaff(viewer, HOSPITAL_ROLES, scope) &&
  viewer.organizationKind === 'HOSPITAL' &&
  viewer.organizationId === order.hospitalOrganizationId;
/** A vendor's partner only reads (orders:read): the vendor's moves stay with its people. */
const isVendorOf = (viewer: Viewer, order: Parties) =>
  actsAsStaff(viewer, VENDOR_ROLES, 'orders:read') &&
  viewer.organizationKind === 'VENDOR' &&
  viewer.organizationId === order.vendorOrganizationId;
const isVendorStaffOf = (viewer: Viewer, order: Parties) =>
  VENDOR_ROLES.includes(viewer.role) && viewer.organizationId === order.vendorOrganizationId;
const isDriverOf = (viewer: Viewer, order: Parties) =>
  viewer.role === 'DRIVER' && order.driverId === viewer.userId;

/**
 * Who sees an order: the ordering hospital, the vendor it is addressed to, the driver it is
 * assigned to (not the vendor's other drivers), platform admins. A placement still running or
 * failed is nobody's order.
 */
export function canSeeOrder(viewer: Viewer | null, order: Parties): boolean {
  if (!viewer || !VISIBLE_STATUSES.includes(order.status)) return false;
  return (
    viewer.role === 'PLATFORM_ADMIN' ||
    isHospitalOf(viewer, order) ||
    isVendorOf(viewer, order) ||
    isDriverOf(viewer, order)
  );
}

/** Hospital staff, or a hospital's partner with orders:write. */
export function requireHospitalStaff(viewer: Viewer | null): Viewer {
  const present = requireViewer(viewer);
  if (present.role === 'PARTNER') {
    if (present.organizationKind !== 'HOSPITAL' || !partnerHas(present, 'orders:write'))
      throw errors.forbidden(
        "Only a hospital's client application with the orders:write scope can place orders.",
      );
    return present;
  }
  if (!HOSPITAL_ROLES.includes(present.role)) throw errors.forbidden('Only hospital staff can place orders.');
  return present;
}

/** Who may make each move on an order they can see. */
export const actors = {
  vendor: (viewer: Viewer, order: Parties) => {
    if (!isVendorStaffOf(viewer, order)) throw errors.forbidden('Only the vendor of this order can do this.');
  },
  hospital: (viewer: Viewer, order: Parties) => {
    if (!isHospitalOf(viewer, order, 'orders:write'))
      throw errors.forbidden('Only the ordering hospital can do this.');
  },
  driver: (viewer: Viewer, order: Parties) => {
    if (!isDriverOf(viewer, order)) throw errors.forbidden('Only the assigned driver can do this.');
  },
  driverOrHospital: (viewer: Viewer, order: Parties) => {
    if (!isDriverOf(viewer, order) && !isHospitalOf(viewer, order, 'orders:write'))
      throw errors.forbidden('Only the assigned driver or the ordering hospital can do this.');
  },
};

/** Which orders a list shows the viewer (a Prisma where clause). */
export function visibleOrdersWhere(viewer: Viewer) {
  const visible = { status: { in: [...VISIBLE_STATUSES] } };
  if (viewer.role === 'PLATFORM_ADMIN') return visible;
  if (HOSPITAL_ROLES.includes(viewer.role))
    return { ...visible, hospitalOrganizationId: viewer.organizationId };
  if (VENDOR_ROLES.includes(viewer.role)) return { ...visible, vendorOrganizationId: viewer.organizationId };
  if (partnerHas(viewer, 'orders:read') && viewer.organizationKind === 'HOSPITAL')
    return { ...visible, hospitalOrganizationId: viewer.organizationId };
  if (partnerHas(viewer, 'orders:read') && viewer.organizationKind === 'VENDOR')
    return { ...visible, vendorOrganizationId: viewer.organizationId };
  if (viewer.role === 'DRIVER') return { ...visible, driverId: viewer.userId };
  return { ...visible, id: { in: [] as string[] } };
}
