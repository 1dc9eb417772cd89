import { assertionsFor, is, type Viewer } from '@flow/core';
import type { Review } from '../generated/prisma/client';

// Who writes, reads and hides reviews (docs/access.md, "reviews").

/** Reads a vendor's reviews with their comments. */
const readReviewsOf = (viewer: Viewer | null, vendorOrganizationId: string) =>
  is.hospitalMember(viewer) ||
  (is.vendorMember(viewer) && is.memberOf(vendorOrganizationId)(viewer)) ||
  is.platformAdmin(viewer);

export const can = {
  /**
   * A hospital's admins and staff review what their hospital received. Not partners: a review is
   * a person's judgement, and no partner scope covers it. Not platform admins: they moderate.
   */
  submit: (viewer: Viewer | null) => is.hospitalMember(viewer),
  /** The order's own hospital; any other order is answered as if it did not exist. */
  reviewOrder: (viewer: Viewer | null, order: { hospitalOrganizationId: string }) =>
    is.hospitalMember(viewer) && is.memberOf(order.hospitalOrganizationId)(viewer),
  hide: (viewer: Viewer | null) => is.platformAdmin(viewer),
  /** Ratings (stars and counts, no text) are public to every signed-in user of the market. */
  readRatings: (viewer: Viewer | null) => is.signedIn(viewer),
  readReviewsOf,
  /** Hidden reviews, with the reason: only the moderators. */
  seeHidden: (viewer: Viewer | null) => is.platformAdmin(viewer),
};

export const assertCan = assertionsFor(
  { submit: can.submit, hide: can.hide },
  {
    submit: "Only a hospital's admins and staff review its delivered orders.",
    hide: 'Only platform admins hide reviews.',
  },
);

type Visible = Pick<Review, 'vendorOrganizationId' | 'hiddenAt'>;

export function canSee(viewer: Viewer | null, review: Visible): boolean {
  return (
    readReviewsOf(viewer, review.vendorOrganizationId) && (review.hiddenAt === null || can.seeHidden(viewer))
  );
}
