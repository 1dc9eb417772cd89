import { assertionsFor, is, type Viewer } from '@flow/core';
import type { Order, Prisma } from '../generated/prisma/client';
import { VISIBLE_STATUSES } from './status-machine';

// Who sees and moves orders (docs/access.md, "orders"). The router only checks @authenticated.

export type OrderParties = Pick<
  Order,
  'status' | 'hospitalOrganizationId' | 'vendorOrganizationId' | 'driverId'
>;

/** The ordering hospital: its people, or its partner with `scope` (orders:read to see). */
const hospitalOf = (viewer: Viewer | null, order: OrderParties, scope: 'orders:read' | 'orders:write') =>
  is.hospitalSide(scope)(viewer) && is.memberOf(order.hospitalOrganizationId)(viewer);
/** The vendor it is addressed to; a vendor's partner only reads (orders:read). */
const vendorOf = (viewer: Viewer | null, order: OrderParties) =>
  is.vendorSide('orders:read')(viewer) && is.memberOf(order.vendorOrganizationId)(viewer);
/** The vendor's moves stay with its people. */
const vendorPeopleOf = (viewer: Viewer | null, order: OrderParties) =>
  is.vendorMember(viewer) && is.memberOf(order.vendorOrganizationId)(viewer);

/**
 * Who sees an order: the ordering hospital, the vendor it is addressed to, the driver it is
 * assigned to (not the vendor's other drivers), platform admins. A placement still running or
 * failed is nobody's order.
 */
export function canSee(viewer: Viewer | null, order: OrderParties): boolean {
  if (!viewer || !VISIBLE_STATUSES.includes(order.status)) return false;
  return (
    is.platformAdmin(viewer) ||
    hospitalOf(viewer, order, 'orders:read') ||
    vendorOf(viewer, order) ||
    is.driverOf(order)(viewer)
  );
}

/** Which orders a list shows the viewer: canSee as a Prisma where. */
export function visibleWhere(viewer: Viewer): Prisma.OrderWhereInput {
  const visible = { status: { in: [...VISIBLE_STATUSES] } };
  if (is.platformAdmin(viewer)) return visible;
  if (is.hospitalSide('orders:read')(viewer))
    return { ...visible, hospitalOrganizationId: viewer.organizationId };
  if (is.vendorSide('orders:read')(viewer))
    return { ...visible, vendorOrganizationId: viewer.organizationId };
  if (is.driver(viewer)) return { ...visible, driverId: viewer.userId };
  return { ...visible, id: { in: [] as string[] } };
}

/** Who may make each move on an order they can see (the order's status is the status machine's). */
export const can = {
  /** Hospital staff, or a hospital's partner with orders:write. */
  place: (viewer: Viewer | null) => is.hospitalSide('orders:write')(viewer),
  confirm: (viewer: Viewer | null, order: OrderParties) => vendorPeopleOf(viewer, order),
  reject: (viewer: Viewer | null, order: OrderParties) => vendorPeopleOf(viewer, order),
  dispatch: (viewer: Viewer | null, order: OrderParties) => vendorPeopleOf(viewer, order),
  cancel: (viewer: Viewer | null, order: OrderParties) => hospitalOf(viewer, order, 'orders:write'),
  deliver: (viewer: Viewer | null, order: OrderParties) =>
    is.driverOf(order)(viewer) || hospitalOf(viewer, order, 'orders:write'),
  reportPosition: (viewer: Viewer | null, order: OrderParties) => is.driverOf(order)(viewer),
};

const VENDOR_ONLY = 'Only the vendor of this order can do this.';

export const assertCan = assertionsFor(can, {
  place: (viewer) =>
    is.partner(viewer)
      ? "Only a hospital's client application with the orders:write scope can place orders."
      : 'Only hospital staff can place orders.',
  confirm: VENDOR_ONLY,
  reject: VENDOR_ONLY,
  dispatch: VENDOR_ONLY,
  cancel: 'Only the ordering hospital can do this.',
  deliver: 'Only the assigned driver or the ordering hospital can do this.',
  reportPosition: 'Only the assigned driver can do this.',
});

/** Whom a vendor may dispatch an order to: one of its own drivers (a user as users knows it). */
export const isDriverOfVendor = (user: { role: string; organizationId: string }, order: OrderParties) =>
  user.role === 'DRIVER' && user.organizationId === order.vendorOrganizationId;
