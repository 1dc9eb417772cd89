import { ORG, matchesWhere, outcomeOf, rowsOf, type CallerName, type Expected } from '@flow/testing';
import {
  assertCan,
  canManageOrganization,
  canSee,
  visibleClientApplicationsWhere,
} from '../src/services/policy';

// Role x relation -> visible / allowed, for a user and the client applications of ORG.hospital
// (docs/access.md, "users").

// Sees a hospital user's email; manages the hospital (its people, its suspension reason).
const sees: Record<CallerName, [boolean, boolean]> = {
  anonymous: [false, false],
  hospitalStaff: [true, false],
  hospitalAdmin: [true, true],
  otherHospitalStaff: [false, false],
  otherHospitalAdmin: [false, false],
  vendorStaff: [false, false],
  vendorAdmin: [false, false],
  otherVendorStaff: [false, false],
  otherVendorAdmin: [false, false],
  assignedDriver: [false, false],
  otherDriverOfVendor: [false, false],
  otherVendorDriver: [false, false],
  platformAdmin: [true, true],
  // Decided (docs/access.md): a partner is not one of its organization's people.
  hospitalPartnerAllScopes: [false, false],
  hospitalPartnerOrdersRead: [false, false],
  hospitalPartnerCatalogOnly: [false, false],
  hospitalPartnerNoScopes: [false, false],
  otherHospitalPartner: [false, false],
  vendorPartnerAllScopes: [false, false],
  vendorPartnerNoScopes: [false, false],
  ordersService: [false, false],
  ordersServiceForUser: [false, false],
};

test.each(rowsOf(sees))('%s sees the email, manages the organization: %j', (_name, caller, expected) => {
  expect([
    canSee(caller.viewer, { organizationId: ORG.hospital }),
    canManageOrganization(caller.viewer, ORG.hospital),
  ]).toEqual(expected);
});

test.each(rowsOf(sees).filter(([, caller]) => caller.viewer))(
  '%s lists its own organization’s client applications (a platform admin every one)',
  (_name, caller) => {
    const viewer = caller.viewer!;
    const where = visibleClientApplicationsWhere(viewer);
    expect(matchesWhere(where, { organizationId: viewer.organizationId })).toBe(true);
    const elsewhere = '00000000-0000-4000-8000-00000000ffff';
    expect(matchesWhere(where, { organizationId: elsewhere })).toBe(viewer.role === 'PLATFORM_ADMIN');
  },
);

const T = true;
const F = 'FORBIDDEN' as const;
const A = 'UNAUTHENTICATED' as const;
const NONE: Expected[] = [F, F, F, F];
const ADMIN_ELSEWHERE: Expected[] = [T, F, F, F];

// invite into one's own organization, list the hospital's users, manage its client
// applications, administer organizations (list, approve, suspend).
const actions: Record<CallerName, Expected[]> = {
  anonymous: [A, A, A, A],
  hospitalStaff: NONE,
  hospitalAdmin: [T, T, T, F],
  otherHospitalStaff: NONE,
  otherHospitalAdmin: ADMIN_ELSEWHERE,
  vendorStaff: NONE,
  vendorAdmin: ADMIN_ELSEWHERE,
  otherVendorStaff: NONE,
  otherVendorAdmin: ADMIN_ELSEWHERE,
  assignedDriver: NONE,
  otherDriverOfVendor: NONE,
  otherVendorDriver: NONE,
  platformAdmin: [T, T, T, T],
  hospitalPartnerAllScopes: NONE,
  hospitalPartnerOrdersRead: NONE,
  hospitalPartnerCatalogOnly: NONE,
  hospitalPartnerNoScopes: NONE,
  otherHospitalPartner: NONE,
  vendorPartnerAllScopes: NONE,
  vendorPartnerNoScopes: NONE,
  ordersService: [A, A, A, A],
  ordersServiceForUser: NONE,
};

test.each(rowsOf(actions))(
  '%s: invite, list users, manage client applications, administer organizations',
  (_name, caller, expected) => {
    expect([
      outcomeOf(() => assertCan.inviteUsers(caller.viewer)),
      outcomeOf(() => assertCan.listUsers(caller.viewer, ORG.hospital)),
      outcomeOf(() => assertCan.manageClientApplications(caller.viewer, ORG.hospital)),
      outcomeOf(() => assertCan.administerOrganizations(caller.viewer)),
    ]).toEqual(expected);
  },
);
