import {
  errors,
  isPlatformAdmin,
  requireUuid,
  requireViewer,
  type BaseContext,
  type Role,
  type Viewer,
} from '@flow/platform';
import { MAX_HOLD_SECONDS, MAX_ORDER_HOLD_SECONDS } from './input';

const VENDOR_ROLES: readonly Role[] = ['VENDOR_STAFF', 'VENDOR_ADMIN'];
/** Who may hold stock: hospitals for their orders, platform admins on anyone's behalf. */
const RESERVING_ROLES: readonly Role[] = ['HOSPITAL_STAFF', 'HOSPITAL_ADMIN', 'PLATFORM_ADMIN'];

/** What the reservation rules look at: the signed-in user, if any, and the signed calling service. */
export type Caller = Pick<BaseContext, 'viewer' | 'callerService'>;

export const ORDERS_SERVICE = 'orders';

/**
 * The orders subgraph acting as itself (proven by the request signature): it holds, ships and
 * gives back stock for the orders it runs, with the user's token passed on or, in its recovery
 * jobs, with none.
 */
export const isOrdersService = (caller: Caller) => caller.callerService === ORDERS_SERVICE;

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

/**
 * The organization a new hold is for. Hospitals reserve for themselves; platform admins and the
 * orders service may name another organization (the ordering hospital); the orders service
 * without a user must name it. Checks who may reserve at all before looking at the input.
 */
export function reservingOrganization(caller: Caller, requested: string | null | undefined): string {
  const field = 'input.organizationId';
  if (isOrdersService(caller)) {
    if (requested !== null && requested !== undefined) return requireUuid(requested, field);
    if (caller.viewer) return caller.viewer.organizationId;
    throw errors.badUserInput(field, `${field} is required when no user is signed in.`);
  }
  const viewer = requireReservingRole(caller.viewer);
  if (requested === null || requested === undefined) return viewer.organizationId;
  const organizationId = requireUuid(requested, field);
  if (organizationId !== viewer.organizationId && !isPlatformAdmin(viewer))
    throw errors.forbidden(
      'Only platform admins and the orders service can reserve for another organization.',
    );
  return organizationId;
}

/**
 * The longest hold the caller may ask for. The orders service holds an order's stock from
 * placement until delivery, which can take days; anyone else holds for at most a day.
 */
export const maxHoldSecondsFor = (caller: Caller) =>
  isOrdersService(caller) ? MAX_ORDER_HOLD_SECONDS : MAX_HOLD_SECONDS;

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

/** canManageReservation, and the orders service whoever (if anyone) it acts for. */
export const mayManageReservation = (caller: Caller, reservation: ReservationParties) =>
  isOrdersService(caller) || canManageReservation(caller.viewer, reservation);

/** Any caller that might be allowed something here: a signed-in user or the orders service. */
export function requireCaller(caller: Caller): void {
  if (!isOrdersService(caller)) requireViewer(caller.viewer);
}

/**
 * Who a change is recorded as made by: `userId` for movements and `created_by` (uuid columns,
 * so a user or nobody), `event` for the outbox `actor`, which also names a service acting
 * without a user (`service:orders`). Null in both for this subgraph's own jobs.
 */
export interface ChangeActor {
  userId: string | null;
  event: string | null;
}

export function changeActor(caller: Caller): ChangeActor {
  if (caller.viewer) return { userId: caller.viewer.userId, event: caller.viewer.userId };
  return { userId: null, event: caller.callerService ? `service:${caller.callerService}` : null };
}
