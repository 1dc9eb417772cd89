import {
  errors,
  isPlatformAdmin,
  requireUuid,
  requireViewer,
  type BaseContext,
  type Role,
  type Viewer,
} from '@flow/platform';

const VENDOR_ROLES: readonly Role[] = ['VENDOR_STAFF', 'VENDOR_ADMIN'];

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

const ORDERS_ONLY = {
  reserve: 'Stock is held only for orders: only the orders service reserves stock. Use placeOrder.',
  commit: "Only the orders service commits reservations: stock ships with its order's delivery.",
  list: 'Only the orders service lists held reservations.',
} as const;

/**
 * Stock is held only for orders, as steps of the orders service's placement saga: a hold made
 * by anyone else has no order behind it and would only keep stock from other hospitals (issue 11:
 * one hospital held a depot's whole stock for a day, renewable, and `compareOffers` showed it to
 * nobody else). So reserving and committing belong to the orders service alone, whoever it acts
 * for; people, platform admins included, are FORBIDDEN (anonymous callers UNAUTHENTICATED).
 */
export function requireOrdersService(caller: Caller, action: keyof typeof ORDERS_ONLY): void {
  if (isOrdersService(caller)) return;
  requireViewer(caller.viewer);
  throw errors.forbidden(ORDERS_ONLY[action]);
}

/**
 * Who may give held stock back: the orders service, and platform admins as an operator escape
 * hatch (a hold stuck by a fault). Releasing can only free stock, never take it, so it cannot
 * be used to hoard; an admin must say why (`reason`, recorded on the movement and the event).
 * Anyone else is FORBIDDEN: an order's stock goes back when the order is cancelled or rejected.
 */
export function requireReleaser(caller: Caller): void {
  if (isOrdersService(caller)) return;
  if (isPlatformAdmin(requireViewer(caller.viewer))) return;
  throw errors.forbidden(
    'Only the orders service and platform admins release reservations: cancel or reject the order instead.',
  );
}

/**
 * The organization a new hold is for (the ordering hospital), for the orders service: the one it
 * names, else the user's it acts for; without a user it must name one.
 */
export function reservingOrganization(caller: Caller, requested: string | null | undefined): string {
  const field = 'input.organizationId';
  if (requested !== null && requested !== undefined) return requireUuid(requested, field);
  if (caller.viewer) return caller.viewer.organizationId;
  throw errors.badUserInput(field, `${field} is required when no user is signed in.`);
}

/** The parties to a reservation: the organization that holds it and the vendor whose stock it is. */
export interface ReservationParties {
  organizationId: string;
  vendorOrganizationId: string;
}

/** Who may see a reservation: its parties and platform admins. */
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
