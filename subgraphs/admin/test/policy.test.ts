import { ORG, outcomeOf, rowsOf, type CallerName, type Expected } from '@flow/testing';
import type { Viewer } from '@flow/core';
import { assertCan, canSeeEvent, visibleWhere } from '../src/services/policy';

// Role x relation -> allowed, for platformStats, the audit log, and one event addressed to the
// hospital and the vendor of an order, one to the other hospital alone (docs/access.md, "admin").

const ofOrder = { organizationIds: [ORG.hospital, ORG.vendor] };
const ofOtherHospital = { organizationIds: [ORG.otherHospital] };

// readStats, readAuditLog, sees the order's event, sees the other hospital's event.
const table: Record<CallerName, [Expected, Expected, boolean, boolean]> = {
  anonymous: ['UNAUTHENTICATED', 'UNAUTHENTICATED', false, false],
  hospitalStaff: ['FORBIDDEN', 'FORBIDDEN', false, false],
  hospitalAdmin: ['FORBIDDEN', true, true, false],
  otherHospitalStaff: ['FORBIDDEN', 'FORBIDDEN', false, false],
  otherHospitalAdmin: ['FORBIDDEN', true, false, true],
  vendorStaff: ['FORBIDDEN', 'FORBIDDEN', false, false],
  vendorAdmin: ['FORBIDDEN', true, true, false],
  otherVendorStaff: ['FORBIDDEN', 'FORBIDDEN', false, false],
  otherVendorAdmin: ['FORBIDDEN', true, false, false],
  assignedDriver: ['FORBIDDEN', 'FORBIDDEN', false, false],
  otherDriverOfVendor: ['FORBIDDEN', 'FORBIDDEN', false, false],
  otherVendorDriver: ['FORBIDDEN', 'FORBIDDEN', false, false],
  platformAdmin: [true, true, true, true],
  // Partners integrate orders and the catalog; the trail of the platform is for people.
  hospitalPartnerAllScopes: ['FORBIDDEN', 'FORBIDDEN', false, false],
  hospitalPartnerOrdersRead: ['FORBIDDEN', 'FORBIDDEN', false, false],
  hospitalPartnerCatalogOnly: ['FORBIDDEN', 'FORBIDDEN', false, false],
  hospitalPartnerNoScopes: ['FORBIDDEN', 'FORBIDDEN', false, false],
  otherHospitalPartner: ['FORBIDDEN', 'FORBIDDEN', false, false],
  vendorPartnerAllScopes: ['FORBIDDEN', 'FORBIDDEN', false, false],
  vendorPartnerNoScopes: ['FORBIDDEN', 'FORBIDDEN', false, false],
  // A service calls admin for nobody: it reads nothing here.
  ordersService: ['UNAUTHENTICATED', 'UNAUTHENTICATED', false, false],
  ordersServiceForUser: ['FORBIDDEN', 'FORBIDDEN', false, false],
};

test.each(rowsOf(table))(
  '%s: stats, audit log, the order’s event, the other hospital’s event: %j',
  (_name, caller, expected) => {
    expect([
      outcomeOf(() => assertCan.readStats(caller.viewer)),
      outcomeOf(() => assertCan.readAuditLog(caller.viewer)),
      canSeeEvent(caller.viewer, ofOrder),
      canSeeEvent(caller.viewer, ofOtherHospital),
    ]).toEqual(expected);
  },
);

/** The two shapes visibleWhere writes: {} (everything), `organizationIds: { has }`, `id: { in: [] }`. */
function matches(where: ReturnType<typeof visibleWhere>, event: { organizationIds: string[] }): boolean {
  if ('organizationIds' in where) return event.organizationIds.includes(where.organizationIds!.has as string);
  if ('id' in where) return false;
  return Object.keys(where).length === 0;
}

test.each(rowsOf(table).filter(([, caller]) => caller.viewer))(
  '%s lists exactly what it sees',
  (_name, caller) => {
    const viewer = caller.viewer as Viewer;
    for (const event of [ofOrder, ofOtherHospital])
      expect(matches(visibleWhere(viewer), event)).toBe(canSeeEvent(viewer, event));
  },
);
