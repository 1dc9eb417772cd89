import { ORG, matchesWhere, outcomeOf, rowsOf, type CallerName, type Expected } from '@flow/testing';
import { assertCan, canSee, visibleWhere } from '../src/services/policy';

// Role x relation -> visible / allowed, for ORG.vendor's price list and delivery terms
// (docs/access.md, "pricing"): a vendor sees its own only; everyone else every vendor's.

const sees: Record<CallerName, boolean> = {
  anonymous: false,
  hospitalStaff: true,
  hospitalAdmin: true,
  otherHospitalStaff: true,
  otherHospitalAdmin: true,
  vendorStaff: true,
  vendorAdmin: true,
  otherVendorStaff: false,
  otherVendorAdmin: false,
  assignedDriver: true,
  otherDriverOfVendor: true,
  otherVendorDriver: false,
  platformAdmin: true,
  hospitalPartnerAllScopes: true,
  // Decided (docs/access.md): prices are part of the catalog, read by a partner with catalog:read.
  hospitalPartnerOrdersRead: false,
  hospitalPartnerCatalogOnly: true,
  hospitalPartnerNoScopes: false,
  otherHospitalPartner: true,
  vendorPartnerAllScopes: true,
  vendorPartnerNoScopes: false,
  ordersService: false,
  ordersServiceForUser: true,
};

test.each(rowsOf(sees))("%s sees the vendor's prices and terms: %s", (_name, caller, expected) => {
  expect(canSee(caller.viewer, ORG.vendor)).toBe(expected);
});

test.each(rowsOf(sees).filter(([, caller]) => caller.viewer))(
  '%s lists exactly the price list entries it sees',
  (_name, caller) => {
    const viewer = caller.viewer!;
    for (const vendorOrganizationId of [ORG.vendor, ORG.otherVendor])
      expect(matchesWhere(visibleWhere(viewer) as Record<string, unknown>, { vendorOrganizationId })).toBe(
        canSee(viewer, vendorOrganizationId),
      );
  },
);

const T = true;
const F = 'FORBIDDEN' as const;
const A = 'UNAUTHENTICATED' as const;

// see the price list, see the delivery terms, compare offers, set prices, set delivery terms.
const actions: Record<CallerName, Expected[]> = {
  anonymous: [A, A, A, A, A],
  hospitalStaff: [T, T, T, F, F],
  hospitalAdmin: [T, T, T, F, F],
  otherHospitalStaff: [T, T, T, F, F],
  otherHospitalAdmin: [T, T, T, F, F],
  vendorStaff: [T, T, T, T, F],
  vendorAdmin: [T, T, T, T, T],
  otherVendorStaff: [F, F, T, T, F],
  otherVendorAdmin: [F, F, T, T, T],
  assignedDriver: [T, T, T, F, F],
  otherDriverOfVendor: [T, T, T, F, F],
  otherVendorDriver: [F, F, T, F, F],
  platformAdmin: [T, T, T, F, F],
  hospitalPartnerAllScopes: [T, T, T, F, F],
  hospitalPartnerOrdersRead: [F, F, F, F, F],
  hospitalPartnerCatalogOnly: [T, T, T, F, F],
  hospitalPartnerNoScopes: [F, F, F, F, F],
  otherHospitalPartner: [T, T, T, F, F],
  vendorPartnerAllScopes: [T, T, T, F, F],
  vendorPartnerNoScopes: [F, F, F, F, F],
  ordersService: [A, A, A, A, A],
  ordersServiceForUser: [T, T, T, F, F],
};

test.each(rowsOf(actions))(
  '%s: see prices, see terms, compare offers, set prices, set terms',
  (_name, caller, expected) => {
    expect([
      outcomeOf(() => assertCan.seePriceList(caller.viewer, ORG.vendor)),
      outcomeOf(() => assertCan.seeDeliveryTerms(caller.viewer, ORG.vendor)),
      outcomeOf(() => assertCan.compareOffers(caller)),
      outcomeOf(() => assertCan.setPrices(caller.viewer)),
      outcomeOf(() => assertCan.setDeliveryTerms(caller.viewer)),
    ]).toEqual(expected);
  },
);
