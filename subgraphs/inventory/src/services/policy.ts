import { assertionsFor, is, type Caller, type Viewer } from '@flow/core';

// Who sees and changes the catalog, stock and reservations (docs/access.md, "inventory").
// The router checks @authenticated and the @requiresScopes roles; these are the real checks.

const ordersService = is.service('orders');

/** The parties to a reservation: the organization that holds it and the vendor whose stock it is. */
export interface ReservationParties {
  organizationId: string;
  vendorOrganizationId: string;
}

/**
 * Who sees a reservation: the orders service (whoever, if anyone, it acts for), the holding
 * organization, the vendor's people (not its drivers), platform admins.
 */
export function canSee(caller: Caller, reservation: ReservationParties): boolean {
  const viewer = caller.viewer;
  return (
    ordersService(caller) ||
    is.platformAdmin(viewer) ||
    is.memberOf(reservation.organizationId)(viewer) ||
    (is.vendorMember(viewer) && is.memberOf(reservation.vendorOrganizationId)(viewer))
  );
}

/** Inactive products are listed to platform admins only (the catalog's editors). */
export const seesInactiveProducts = (viewer: Viewer | null) => is.platformAdmin(viewer);

export const can = {
  /**
   * Every signed-in user reads the catalog; a partner needs catalog:read. The orders service
   * acting for it (placing its order) was checked where the request entered.
   */
  readCatalog: (caller: Caller) => is.withinPartnerScope('catalog:read')(caller),
  /** Stock levels: any signed-in user (availability is what hospitals order by). */
  readStock: (caller: Caller) => is.signedIn(caller.viewer),
  /** Single reservations (canSee decides which): a signed-in user or the orders service. */
  readReservations: (caller: Caller) => ordersService(caller) || is.signedIn(caller.viewer),
  changeCatalog: (viewer: Viewer | null) => is.platformAdmin(viewer),
  changeStock: (viewer: Viewer | null) => is.vendorMember(viewer),
  /** `depotOwner`: the vendor whose depot it is, as locations says. */
  changeDepotStock: (viewer: Viewer | null, depotOwner: string) =>
    is.vendorMember(viewer) && is.memberOf(depotOwner)(viewer),
  /** `depotOwner` unknown yet (undefined) or never stocked (null): the role alone decides. */
  seeMovements: (viewer: Viewer | null, depotOwner?: string | null) =>
    is.platformAdmin(viewer) || (is.vendorMember(viewer) && (!depotOwner || is.memberOf(depotOwner)(viewer))),
  /**
   * Stock is held only for orders, as steps of the orders service's placement saga: a hold made
   * by anyone else has no order behind it and would only keep stock from other hospitals (issue
   * 11: one hospital held a depot's whole stock for a day, renewable, and `compareOffers` showed
   * it to nobody else). So reserving and committing belong to the orders service alone, whoever
   * it acts for; people, platform admins included, are FORBIDDEN.
   */
  reserve: (caller: Caller) => ordersService(caller),
  commit: (caller: Caller) => ordersService(caller),
  listHeld: (caller: Caller) => ordersService(caller),
  /**
   * Giving held stock back: the orders service, and platform admins as an operator escape hatch
   * (a hold stuck by a fault). Releasing can only free stock, never take it, so it cannot be
   * used to hoard; an admin must say why. An order's stock goes back when it is cancelled.
   */
  release: (caller: Caller) => ordersService(caller) || is.platformAdmin(caller.viewer),
};

/** An operator's release must be explained: it may undo a live order's hold. */
export const releaseNeedsReason = (caller: Caller) => !ordersService(caller);

const MOVEMENTS = 'Only the depot’s vendor can see its stock movements.';

export const assertCan = assertionsFor(can, {
  readCatalog: 'This client application lacks the catalog:read scope.',
  readStock: 'You are not allowed to do this.',
  readReservations: 'You are not allowed to do this.',
  changeCatalog: 'Only platform admins can change the catalog.',
  changeStock: 'Only vendor staff can change stock.',
  changeDepotStock: 'Only the depot’s own vendor can change its stock.',
  seeMovements: MOVEMENTS,
  reserve: 'Stock is held only for orders: only the orders service reserves stock. Use placeOrder.',
  commit: "Only the orders service commits reservations: stock ships with its order's delivery.",
  listHeld: 'Only the orders service lists held reservations.',
  release:
    'Only the orders service and platform admins release reservations: cancel or reject the order instead.',
});
