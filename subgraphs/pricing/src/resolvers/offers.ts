import type { QueryResolvers } from '../generated/resolvers-types';

export const offerQueries: Pick<QueryResolvers, 'compareOffers'> = {
  compareOffers: (_, args, ctx) => ctx.services.offers.compareOffers(ctx, args),
};
