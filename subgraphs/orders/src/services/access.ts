import { errors, requireViewer, type Role, type Viewer } from '@flow/platform';
import type { Order } from '../generated/prisma/client';
import { VISIBLE_STATUSES } from './status-machine';

const HOSPITAL_ROLES: readonly Role[] = ['HOSPITAL_STAFF', 'HOSPITAL_ADMIN'];
const VENDOR_ROLES: readonly Role[] = ['VENDOR_STAFF', 'VENDOR_ADMIN'];

type Parties = Pick<Order, 'status' | 'hospitalOrganizationId' | 'vendorOrganizationId' | 'driverId'>;

const isHospitalOf = (viewer: Viewer, order: Parties) =>
  HOSPITAL_ROLES.includes(viewer.role) && viewer.organizationId === order.hospitalOrganizationId;
const isVendorOf = (viewer: Viewer, order: Parties) =>
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

export function requireHospitalStaff(viewer: Viewer | null): Viewer {
  const present = requireViewer(viewer);
  if (!HOSPITAL_ROLES.includes(present.role)) throw errors.forbidden('Only hospital staff can place orders.');
  return present;
}

/** Who may make each move on an order they can see. */
export const actors = {
  vendor: (viewer: Viewer, order: Parties) => {
    if (!isVendorOf(viewer, order)) throw errors.forbidden('Only the vendor of this order can do this.');
  },
  hospital: (viewer: Viewer, order: Parties) => {
    if (!isHospitalOf(viewer, order)) throw errors.forbidden('Only the ordering hospital can do this.');
  },
  driver: (viewer: Viewer, order: Parties) => {
    if (!isDriverOf(viewer, order)) throw errors.forbidden('Only the assigned driver can do this.');
  },
  driverOrHospital: (viewer: Viewer, order: Parties) => {
    if (!isDriverOf(viewer, order) && !isHospitalOf(viewer, order))
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
  if (viewer.role === 'DRIVER') return { ...visible, driverId: viewer.userId };
  return { ...visible, id: { in: [] as string[] } };
}
