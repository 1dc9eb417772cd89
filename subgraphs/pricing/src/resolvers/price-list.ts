import type {
  MutationResolvers,
  PriceListEntryResolvers,
  QueryResolvers,
} from '../generated/resolvers-types';

export const priceListQueries: Pick<QueryResolvers, 'priceList'> = {
  priceList: (_, args, ctx) => ctx.services.priceList.list(ctx, args),
};

export const priceListMutations: Pick<MutationResolvers, 'setPrice'> = {
  setPrice: (_, { input }, ctx) => ctx.services.priceList.setPrice(ctx, input),
};

export const PriceListEntry: PriceListEntryResolvers = {
  __resolveReference: (reference, ctx) => ctx.services.priceList.byReference(ctx, reference.id),
};
