import { DateTime } from '@flow/core';
import type { Resolvers } from '../generated/resolvers-types';

export const resolvers: Resolvers = {
  DateTime,
  Mutation: {
    submitReview: (_, { input }, ctx) => ctx.services.reviews.submit(ctx, input),
    hideReview: (_, { id, reason }, ctx) => ctx.services.reviews.hide(ctx, id, reason),
  },
  Review: {
    __resolveReference: (reference, ctx) => ctx.services.reviews.visible(ctx, reference.id),
    vendor: (review) => ({ id: review.vendorOrganizationId }),
    order: (review) => ({ id: review.orderId }),
  },
  Organization: {
    // Organizations are the users subgraph's; here one is a vendor that has reviews.
    __resolveReference: (reference) => ({ id: reference.id }),
    rating: (organization, _, ctx) => ctx.services.reviews.rating(ctx, organization.id),
    reviews: (organization, args, ctx) => ctx.services.reviews.ofOrganization(ctx, organization.id, args),
  },
  Offer: {
    __resolveReference: (reference) => ({ vendor: { id: reference.vendor.id } }),
    vendorRating: (offer, _, ctx) => ctx.services.reviews.averageRating(ctx, offer.vendor.id),
  },
};
