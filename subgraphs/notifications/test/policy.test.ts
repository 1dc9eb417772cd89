import { ORG, callers, matchesWhere, rowsOf, type CallerName } from '@flow/testing';
import { canSee, visibleWhere } from '../src/services/policy';

// Role x relation -> visible, for a notification addressed to ORG.hospital, one to ORG.vendor and
// one to the vendor's assigned driver personally (docs/access.md, "notifications").

const toHospital = { organizationId: ORG.hospital, userId: null };
const toVendor = { organizationId: ORG.vendor, userId: null };
const toDriver = { organizationId: null, userId: callers.assignedDriver.viewer.userId };

// Sees the hospital's, the vendor's, the driver's.
const sees: Record<CallerName, [boolean, boolean, boolean]> = {
  anonymous: [false, false, false],
  hospitalStaff: [true, false, false],
  hospitalAdmin: [true, false, false],
  otherHospitalStaff: [false, false, false],
  otherHospitalAdmin: [false, false, false],
  vendorStaff: [false, true, false],
  vendorAdmin: [false, true, false],
  otherVendorStaff: [false, false, false],
  otherVendorAdmin: [false, false, false],
  assignedDriver: [false, false, true],
  otherDriverOfVendor: [false, false, false],
  otherVendorDriver: [false, false, false],
  platformAdmin: [false, false, false],
  hospitalPartnerAllScopes: [false, false, false],
  hospitalPartnerOrdersRead: [false, false, false],
  hospitalPartnerCatalogOnly: [false, false, false],
  hospitalPartnerNoScopes: [false, false, false],
  otherHospitalPartner: [false, false, false],
  vendorPartnerAllScopes: [false, false, false],
  vendorPartnerNoScopes: [false, false, false],
  // Notifications are read by people: a service has none of its own.
  ordersService: [false, false, false],
  ordersServiceForUser: [false, false, false],
};

test.each(rowsOf(sees))(
  '%s sees the hospital’s, the vendor’s, the driver’s: %j',
  (_name, caller, expected) => {
    expect([toHospital, toVendor, toDriver].map((n) => canSee(caller.viewer, n))).toEqual(expected);
  },
);

test.each(rowsOf(sees).filter(([, caller]) => caller.viewer))(
  '%s lists exactly what it sees',
  (_name, caller) => {
    const viewer = caller.viewer!;
    for (const notification of [toHospital, toVendor, toDriver])
      expect(matchesWhere(visibleWhere(viewer) as Record<string, unknown>, notification)).toBe(
        canSee(viewer, notification),
      );
  },
);
