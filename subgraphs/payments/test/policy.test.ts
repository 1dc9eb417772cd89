import {
  ASSIGNED_DRIVER,
  ORG,
  callers,
  matchesWhere,
  outcomeOf,
  rowsOf,
  type CallerName,
  type Expected,
} from '@flow/testing';
import { assertCan, canSee, visibleWhere } from '../src/services/policy';

// Role x relation -> visible / allowed, for the payment (and invoice) of an order ORG.hospital
// placed with ORG.vendor, assigned to ASSIGNED_DRIVER (docs/access.md, "payments").

const parties = { payerOrganizationId: ORG.hospital, payeeOrganizationId: ORG.vendor };

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
  assignedDriver: true,
  otherDriverOfVendor: false,
  otherVendorDriver: false,
  platformAdmin: true,
  hospitalPartnerAllScopes: true,
  hospitalPartnerOrdersRead: true,
  // Decided (docs/access.md): a payment is part of its order, so a partner needs orders:read.
  hospitalPartnerCatalogOnly: false,
  hospitalPartnerNoScopes: false,
  otherHospitalPartner: false,
  vendorPartnerAllScopes: true,
  vendorPartnerNoScopes: false,
  ordersService: true,
  ordersServiceForUser: true,
};

test.each(rowsOf(sees))('%s sees the payment and its invoice: %s', (_name, caller, expected) => {
  expect(canSee(caller, parties, ASSIGNED_DRIVER)).toBe(expected);
});

test('a driver sees nothing of an order not (or not yet) assigned to them', () => {
  expect(canSee(callers.assignedDriver, parties, null)).toBe(false);
  expect(canSee(callers.otherDriverOfVendor, parties, ASSIGNED_DRIVER)).toBe(false);
});

describe('the invoices list', () => {
  const ORDER_ASSIGNED = '00000000-0000-4000-8000-00000000f001';
  const ORDER_UNASSIGNED = '00000000-0000-4000-8000-00000000f002';
  const invoices = [
    { id: 'i1', ...parties, payment: { orderId: ORDER_ASSIGNED }, driverId: ASSIGNED_DRIVER },
    { id: 'i2', ...parties, payment: { orderId: ORDER_UNASSIGNED }, driverId: null },
    {
      id: 'i3',
      payerOrganizationId: ORG.otherHospital,
      payeeOrganizationId: ORG.otherVendor,
      payment: { orderId: ORDER_UNASSIGNED },
      driverId: null,
    },
  ];

  // The platform admin reads any one by id but lists its own organization's ledger (none).
  const listed = rowsOf(sees).filter(([name, caller]) => caller.viewer && name !== 'platformAdmin');

  test.each(listed)('%s lists exactly the invoices it sees', (_name, caller) => {
    const viewer = caller.viewer!;
    const assigned = viewer.userId === ASSIGNED_DRIVER ? [ORDER_ASSIGNED] : [];
    for (const invoice of invoices)
      expect(matchesWhere(visibleWhere(viewer, assigned) as Record<string, unknown>, invoice)).toBe(
        canSee({ viewer, callerService: null }, invoice, invoice.driverId),
      );
  });

  test('a platform admin lists only its own organization’s invoices', () => {
    const where = visibleWhere(callers.platformAdmin.viewer, []) as Record<string, unknown>;
    for (const invoice of invoices) expect(matchesWhere(where, invoice)).toBe(false);
  });
});

const T = true;
const F = 'FORBIDDEN' as const;
const A = 'UNAUTHENTICATED' as const;
const NONE: Expected[] = [F, F, F, F];

// authorize, capture/void (settle), refund, mark the invoice paid: for ORG.vendor as payee.
const actions: Record<CallerName, Expected[]> = {
  // Decided: anonymous is UNAUTHENTICATED for authorize too, as for every other action.
  anonymous: [A, A, A, A],
  hospitalStaff: NONE,
  hospitalAdmin: NONE,
  otherHospitalStaff: NONE,
  otherHospitalAdmin: NONE,
  vendorStaff: NONE,
  vendorAdmin: [F, F, T, T],
  otherVendorStaff: NONE,
  otherVendorAdmin: NONE,
  assignedDriver: NONE,
  otherDriverOfVendor: NONE,
  otherVendorDriver: NONE,
  platformAdmin: [F, T, T, T],
  hospitalPartnerAllScopes: NONE,
  hospitalPartnerOrdersRead: NONE,
  hospitalPartnerCatalogOnly: NONE,
  hospitalPartnerNoScopes: NONE,
  otherHospitalPartner: NONE,
  vendorPartnerAllScopes: NONE,
  vendorPartnerNoScopes: NONE,
  ordersService: [T, T, T, A],
  ordersServiceForUser: [T, T, T, F],
};

test.each(rowsOf(actions))('%s: authorize, settle, refund, mark paid', (_name, caller, expected) => {
  expect([
    outcomeOf(() => assertCan.authorize(caller)),
    outcomeOf(() => assertCan.settle(caller)),
    outcomeOf(() => assertCan.refund(caller, ORG.vendor)),
    outcomeOf(() => assertCan.markInvoicePaid(caller, ORG.vendor)),
  ]).toEqual(expected);
});
