import { ORG, callers, outcomeOf, rowsOf, type CallerName, type Expected } from '@flow/testing';
import { assertCan, canSee, seesInactiveProducts } from '../src/services/policy';

// Role x relation -> visible / allowed, for a hold of ORG.hospital on ORG.vendor's stock at one of
// ORG.vendor's depots (docs/access.md, "inventory").

const reservation = { organizationId: ORG.hospital, vendorOrganizationId: ORG.vendor };

const sees: Record<CallerName, boolean> = {
  anonymous: false,
  hospitalStaff: true,
  hospitalAdmin: true,
  otherHospitalStaff: false,
  otherHospitalAdmin: false,
  vendorStaff: true,
  vendorAdmin: true,
  otherVendorStaff: false,
  otherVendorAdmin: false,
  assignedDriver: false,
  otherDriverOfVendor: false,
  otherVendorDriver: false,
  platformAdmin: true,
  hospitalPartnerAllScopes: true,
  hospitalPartnerOrdersRead: true,
  hospitalPartnerCatalogOnly: true,
  hospitalPartnerNoScopes: true,
  otherHospitalPartner: false,
  vendorPartnerAllScopes: false,
  vendorPartnerNoScopes: false,
  ordersService: true,
  ordersServiceForUser: true,
};

test.each(rowsOf(sees))('%s sees the reservation: %s', (_name, caller, expected) => {
  expect(canSee(caller, reservation)).toBe(expected);
});

const T = true;
const F = 'FORBIDDEN' as const;
const A = 'UNAUTHENTICATED' as const;
type Row = [Expected, Expected, Expected, Expected, Expected, Expected, Expected, Expected, Expected];
const PERSON: Row = [T, T, T, F, F, F, F, F, F];
const SERVICE: Row = [A, A, T, A, A, A, A, T, T];

// readCatalog, readStock, readReservations, changeCatalog, changeStock, changeDepotStock,
// seeMovements, reserve/commit/listHeld, release.
const actions: Record<CallerName, Row> = {
  anonymous: [A, A, A, A, A, A, A, A, A],
  hospitalStaff: PERSON,
  hospitalAdmin: PERSON,
  otherHospitalStaff: PERSON,
  otherHospitalAdmin: PERSON,
  vendorStaff: [T, T, T, F, T, T, T, F, F],
  vendorAdmin: [T, T, T, F, T, T, T, F, F],
  otherVendorStaff: [T, T, T, F, T, F, F, F, F],
  otherVendorAdmin: [T, T, T, F, T, F, F, F, F],
  assignedDriver: PERSON,
  otherDriverOfVendor: PERSON,
  otherVendorDriver: PERSON,
  platformAdmin: [T, T, T, T, F, F, T, F, T],
  hospitalPartnerAllScopes: PERSON,
  hospitalPartnerOrdersRead: [F, T, T, F, F, F, F, F, F],
  hospitalPartnerCatalogOnly: PERSON,
  hospitalPartnerNoScopes: [F, T, T, F, F, F, F, F, F],
  otherHospitalPartner: PERSON,
  vendorPartnerAllScopes: PERSON,
  vendorPartnerNoScopes: [F, T, T, F, F, F, F, F, F],
  ordersService: SERVICE,
  ordersServiceForUser: [T, T, T, F, F, F, F, T, T],
};

test.each(rowsOf(actions))(
  '%s: catalog, stock, reservations read; catalog, stock, depot stock changed; movements; holds; release',
  (_name, caller, expected) => {
    const o = (assertion: () => void) => outcomeOf(assertion);
    const holds = [o(() => assertCan.reserve(caller)), o(() => assertCan.commit(caller))];
    expect(holds).toEqual([expected[7], expected[7]]);
    expect([
      o(() => assertCan.readCatalog(caller)),
      o(() => assertCan.readStock(caller)),
      o(() => assertCan.readReservations(caller)),
      o(() => assertCan.changeCatalog(caller.viewer)),
      o(() => assertCan.changeStock(caller.viewer)),
      o(() => assertCan.changeDepotStock(caller.viewer, ORG.vendor)),
      o(() => assertCan.seeMovements(caller.viewer, ORG.vendor)),
      o(() => assertCan.listHeld(caller)),
      o(() => assertCan.release(caller)),
    ]).toEqual(expected);
  },
);

test('a depot never stocked (no owner known) shows its empty movements to any vendor person', () => {
  expect(outcomeOf(() => assertCan.seeMovements(callers.vendorStaff.viewer, null))).toBe(true);
});

test('inactive products are listed to platform admins only', () => {
  for (const [name, caller] of rowsOf(sees))
    expect(seesInactiveProducts(caller.viewer)).toBe(name === 'platformAdmin');
});
