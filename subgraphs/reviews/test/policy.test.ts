import { ORG, outcomeOf, rowsOf, type CallerName, type Expected } from '@flow/testing';
import { assertCan, can, canSee } from '../src/services/policy';

// Role x relation -> allowed, for an order delivered to ORG.hospital by ORG.vendor and its review
// (docs/access.md, "reviews").

const order = { hospitalOrganizationId: ORG.hospital };
const visible = { vendorOrganizationId: ORG.vendor, hiddenAt: null };
const hidden = { vendorOrganizationId: ORG.vendor, hiddenAt: new Date() };

interface Row {
  /** submitReview at all (before the order is read). */
  submit: Expected;
  /** This order (the hospital's own; anyone else is told NOT_FOUND). */
  reviewOrder: boolean;
  hide: Expected;
  /** Stars and counts. */
  ratings: boolean;
  /** The vendor's reviews with comments: a visible one, a hidden one. */
  sees: [boolean, boolean];
}

const row = (
  submit: Expected,
  reviewOrder: boolean,
  hide: Expected,
  ratings: boolean,
  sees: [boolean, boolean],
) => ({ submit, reviewOrder, hide, ratings, sees }) satisfies Row;

const F = 'FORBIDDEN';
const U = 'UNAUTHENTICATED';
const table: Record<CallerName, Row> = {
  anonymous: row(U, false, U, false, [false, false]),
  hospitalStaff: row(true, true, F, true, [true, false]),
  hospitalAdmin: row(true, true, F, true, [true, false]),
  // Other hospitals read vendors' reviews (that is what they are for) but review only their own orders.
  otherHospitalStaff: row(true, false, F, true, [true, false]),
  otherHospitalAdmin: row(true, false, F, true, [true, false]),
  vendorStaff: row(F, false, F, true, [true, false]),
  vendorAdmin: row(F, false, F, true, [true, false]),
  // A competitor gets the stars, not the comments.
  otherVendorStaff: row(F, false, F, true, [false, false]),
  otherVendorAdmin: row(F, false, F, true, [false, false]),
  assignedDriver: row(F, false, F, true, [false, false]),
  otherDriverOfVendor: row(F, false, F, true, [false, false]),
  otherVendorDriver: row(F, false, F, true, [false, false]),
  platformAdmin: row(F, false, true, true, [true, true]),
  // A review is a person's judgement: no partner scope covers writing or reading one.
  hospitalPartnerAllScopes: row(F, false, F, true, [false, false]),
  hospitalPartnerOrdersRead: row(F, false, F, true, [false, false]),
  hospitalPartnerCatalogOnly: row(F, false, F, true, [false, false]),
  hospitalPartnerNoScopes: row(F, false, F, true, [false, false]),
  otherHospitalPartner: row(F, false, F, true, [false, false]),
  vendorPartnerAllScopes: row(F, false, F, true, [false, false]),
  vendorPartnerNoScopes: row(F, false, F, true, [false, false]),
  // Reviews are people's: a service calling as itself, for nobody, is nobody.
  ordersService: row(U, false, U, false, [false, false]),
  ordersServiceForUser: row(true, false, F, true, [true, false]),
};

test.each(rowsOf(table))('%s: %j', (_name, caller, expected) => {
  const { viewer } = caller;
  expect({
    submit: outcomeOf(() => assertCan.submit(viewer)),
    reviewOrder: can.reviewOrder(viewer, order),
    hide: outcomeOf(() => assertCan.hide(viewer)),
    ratings: can.readRatings(viewer),
    sees: [canSee(viewer, visible), canSee(viewer, hidden)],
  }).toEqual(expected);
});
