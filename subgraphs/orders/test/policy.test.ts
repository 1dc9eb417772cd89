import {
  ASSIGNED_DRIVER,
  callers,
  ORG,
  matchesWhere,
  outcomeOf,
  rowsOf,
  type CallerName,
  type Expected,
} from '@flow/testing';
import type { OrderStatus } from '../src/generated/prisma/client';
import { assertCan, canSee, visibleWhere, type OrderParties } from '../src/services/policy';

// Role x relation -> visible / allowed, for an order of ORG.hospital to ORG.vendor assigned to
// ASSIGNED_DRIVER (docs/access.md, "orders").

const order = (status: OrderStatus = 'PLACED'): OrderParties => ({
  status,
  hospitalOrganizationId: ORG.hospital,
  vendorOrganizationId: ORG.vendor,
  driverId: ASSIGNED_DRIVER,
});

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
  hospitalPartnerCatalogOnly: false,
  hospitalPartnerNoScopes: false,
  otherHospitalPartner: false,
  vendorPartnerAllScopes: true,
  vendorPartnerNoScopes: false,
  // Orders never calls itself: its own service identity means nothing here.
  ordersService: false,
  ordersServiceForUser: false,
};

describe('who sees an order', () => {
  test.each(rowsOf(sees))('%s: %s', (_name, caller, expected) => {
    expect(canSee(caller.viewer, order())).toBe(expected);
  });

  test.each(rowsOf(sees))('%s lists exactly what it sees', (_name, caller) => {
    if (!caller.viewer) return;
    for (const status of ['PLACED', 'DELIVERED', 'PENDING', 'FAILED'] as const) {
      const row = order(status);
      expect(matchesWhere(visibleWhere(caller.viewer) as Record<string, unknown>, row)).toBe(
        canSee(caller.viewer, row),
      );
    }
  });

  test.each(['PENDING', 'FAILED'] as const)('a %s order is nobody’s', (status) => {
    for (const [, caller] of rowsOf(sees)) expect(canSee(caller.viewer, order(status))).toBe(false);
  });
});

type Move = keyof typeof assertCan;
const A = 'UNAUTHENTICATED' as const;
const F = 'FORBIDDEN' as const;

// place, confirm/reject/dispatch (the vendor), cancel (the hospital), deliver, reportPosition.
const moves: Record<CallerName, [Expected, Expected, Expected, Expected, Expected]> = {
  anonymous: [A, A, A, A, A],
  hospitalStaff: [true, F, true, true, F],
  hospitalAdmin: [true, F, true, true, F],
  otherHospitalStaff: [true, F, F, F, F],
  otherHospitalAdmin: [true, F, F, F, F],
  vendorStaff: [F, true, F, F, F],
  vendorAdmin: [F, true, F, F, F],
  otherVendorStaff: [F, F, F, F, F],
  otherVendorAdmin: [F, F, F, F, F],
  assignedDriver: [F, F, F, true, true],
  otherDriverOfVendor: [F, F, F, F, F],
  otherVendorDriver: [F, F, F, F, F],
  platformAdmin: [F, F, F, F, F],
  hospitalPartnerAllScopes: [true, F, true, true, F],
  hospitalPartnerOrdersRead: [F, F, F, F, F],
  hospitalPartnerCatalogOnly: [F, F, F, F, F],
  hospitalPartnerNoScopes: [F, F, F, F, F],
  otherHospitalPartner: [true, F, F, F, F],
  vendorPartnerAllScopes: [F, F, F, F, F],
  vendorPartnerNoScopes: [F, F, F, F, F],
  ordersService: [A, A, A, A, A],
  ordersServiceForUser: [true, F, F, F, F],
};

describe('who makes which move', () => {
  test.each(rowsOf(moves))(
    '%s: place, vendor moves, cancel, deliver, report position',
    (_name, { viewer }, expected) => {
      const o = order('DISPATCHED');
      const outcome = (move: Move) => outcomeOf(() => assertCan[move](viewer, o));
      expect([
        outcome('place'),
        outcome('confirm'),
        outcome('cancel'),
        outcome('deliver'),
        outcome('reportPosition'),
      ]).toEqual(expected);
      expect(outcome('reject')).toEqual(expected[1]);
      expect(outcome('dispatch')).toEqual(expected[1]);
    },
  );

  test('a refusal names who may do it, and a partner what scope it lacks', () => {
    const message = (fn: () => void) => {
      try {
        fn();
      } catch (error) {
        return (error as Error).message;
      }
    };
    const partnerViewer = callers.hospitalPartnerOrdersRead.viewer;
    expect(message(() => assertCan.place(partnerViewer))).toBe(
      "Only a hospital's client application with the orders:write scope can place orders.",
    );
    const vendor = callers.vendorStaff.viewer;
    expect(message(() => assertCan.place(vendor))).toBe('Only hospital staff can place orders.');
    expect(message(() => assertCan.cancel(vendor, order()))).toBe('Only the ordering hospital can do this.');
  });
});
