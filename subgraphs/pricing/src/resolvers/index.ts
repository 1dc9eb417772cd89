import type { Resolvers } from '../generated/resolvers-types';
import { DeliveryTerms, deliveryTermsMutations, deliveryTermsQueries, Organization } from './delivery-terms';
import { offerQueries } from './offers';
import { PriceListEntry, priceListMutations, priceListQueries } from './price-list';
import { DateTime } from '@flow/core';

export const resolvers: Resolvers = {
  DateTime,
  Query: { ...offerQueries, ...priceListQueries, ...deliveryTermsQueries },
  Mutation: { ...priceListMutations, ...deliveryTermsMutations },
  Organization,
  PriceListEntry,
  DeliveryTerms,
};
