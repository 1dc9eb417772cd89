import { ORG, callers, matchesWhere, outcomeOf, rowsOf, type CallerName, type Expected } from '@flow/testing';
import {
  assertCan,
  canSee,
  grantorOf,
  isVisibleSite,
  siteCreator,
  visibleWhere,
} from '../src/services/policy';

// Role x relation -> visible / allowed, for a hospital site of ORG.hospital and a depot of
// ORG.vendor (docs/access.md, "locations").

const hospitalSite = {
  id: '00000000-0000-4000-8000-0000000051e1',
  kind: 'HOSPITAL_SITE' as const,
  organizationId: ORG.hospital,
};
const depot = {
  id: '00000000-0000-4000-8000-0000000051e2',
  kind: 'DEPOT' as const,
  organizationId: ORG.vendor,
};

const seesHospitalSite: Record<CallerName, boolean> = {
  anonymous: false,
  hospitalStaff: true,
  hospitalAdmin: true,
  otherHospitalStaff: false,
  otherHospitalAdmin: false,
  vendorStaff: false,
  vendorAdmin: false,
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

describe('who sees a site', () => {
  test.each(rowsOf(seesHospitalSite))('%s sees the hospital site: %s', (_name, caller, expected) => {
    expect(canSee(caller, hospitalSite)).toBe(expected);
  });

  test.each(rowsOf(seesHospitalSite))('%s sees it once granted to its organization', (name, caller) => {
    expect(canSee(caller, hospitalSite, true)).toBe(name !== 'anonymous');
  });

  test.each(rowsOf(seesHospitalSite))('%s sees the depot when signed in', (name, caller) => {
    expect(canSee(caller, depot)).toBe(name !== 'anonymous');
  });

  test.each(rowsOf(seesHospitalSite).filter(([, caller]) => caller.viewer))(
    '%s lists the hospital’s sites it sees without a grant (as itself), and the vendor’s depots',
    (_name, caller) => {
      const viewer = caller.viewer!;
      expect(matchesWhere(visibleWhere(viewer, ORG.hospital), hospitalSite)).toBe(
        canSee({ viewer, callerService: null }, hospitalSite),
      );
      expect(matchesWhere(visibleWhere(viewer, ORG.vendor), depot)).toBe(true);
    },
  );

  test('the grant is read only for a site that needs one, and then decides', async () => {
    const asked: unknown[] = [];
    const loaders = (granted: boolean) => ({
      siteGrant: {
        load: async (key: unknown) => {
          asked.push(key);
          return granted;
        },
      },
    });
    const ctx = (caller: (typeof callers)[CallerName], granted: boolean) =>
      ({ ...caller, loaders: loaders(granted) }) as unknown as Parameters<typeof isVisibleSite>[0];
    expect(await isVisibleSite(ctx(callers.hospitalStaff, false), hospitalSite)).toBe(true);
    expect(await isVisibleSite(ctx(callers.vendorStaff, false), depot)).toBe(true);
    expect(asked).toEqual([]);
    expect(await isVisibleSite(ctx(callers.vendorStaff, false), hospitalSite)).toBe(false);
    expect(await isVisibleSite(ctx(callers.vendorStaff, true), hospitalSite)).toBe(true);
    expect(asked).toEqual([
      { siteId: hospitalSite.id, organizationId: ORG.vendor },
      { siteId: hospitalSite.id, organizationId: ORG.vendor },
    ]);
  });
});

const T = true;
const F = 'FORBIDDEN' as const;
const A = 'UNAUTHENTICATED' as const;

// read single sites, grant a site to an organization, create a site.
const actions: Record<CallerName, Expected[]> = {
  anonymous: [A, A, A],
  hospitalStaff: [T, F, F],
  hospitalAdmin: [T, F, T],
  otherHospitalStaff: [T, F, F],
  otherHospitalAdmin: [T, F, T],
  vendorStaff: [T, F, F],
  vendorAdmin: [T, F, T],
  otherVendorStaff: [T, F, F],
  otherVendorAdmin: [T, F, T],
  assignedDriver: [T, F, F],
  otherDriverOfVendor: [T, F, F],
  otherVendorDriver: [T, F, F],
  platformAdmin: [T, T, F],
  hospitalPartnerAllScopes: [T, F, F],
  hospitalPartnerOrdersRead: [T, F, F],
  hospitalPartnerCatalogOnly: [T, F, F],
  hospitalPartnerNoScopes: [T, F, F],
  otherHospitalPartner: [T, F, F],
  vendorPartnerAllScopes: [T, F, F],
  vendorPartnerNoScopes: [T, F, F],
  ordersService: [T, T, A],
  ordersServiceForUser: [T, T, F],
};

test.each(rowsOf(actions))('%s: read sites, grant access, create a site', (_name, caller, expected) => {
  expect([
    outcomeOf(() => assertCan.readSites(caller)),
    outcomeOf(() => grantorOf(caller)),
    outcomeOf(() => siteCreator(caller.viewer)),
  ]).toEqual(expected);
});

test('a grant is recorded as the orders service’s or the admin’s; a site is of its organization’s kind', () => {
  expect(grantorOf(callers.ordersService)).toEqual({ service: 'orders', userId: null });
  expect(grantorOf(callers.platformAdmin)).toEqual({
    service: null,
    userId: callers.platformAdmin.viewer.userId,
  });
  expect(siteCreator(callers.hospitalAdmin.viewer).siteKind).toBe('HOSPITAL_SITE');
  expect(siteCreator(callers.vendorAdmin.viewer).siteKind).toBe('DEPOT');
});
