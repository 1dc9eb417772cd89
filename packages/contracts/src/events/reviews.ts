// Written by reviews (services/review-service.ts): a review event carries the review as it is after
// the change, so a consumer needs no call back to reviews.
import { z } from 'zod';
import { anyText, integer, timestamp, uuid } from './fields';

const review = {
  reviewId: uuid(),
  orderId: uuid(),
  /** The hospital that wrote it. */
  hospitalOrganizationId: uuid(),
  /** The vendor it is about. */
  vendorOrganizationId: uuid(),
  /** 1 to 5 stars. */
  rating: integer(),
  /** The reviewer's user id. */
  authorId: uuid(),
};

export const reviewEventSchemas = {
  'review.submitted': z.object({ ...review, comment: anyText().nullable() }),
  'review.hidden': z.object({
    ...review,
    /** Why a platform admin hid it, as they wrote it. */
    reason: anyText(),
    hiddenAt: timestamp(),
  }),
};
