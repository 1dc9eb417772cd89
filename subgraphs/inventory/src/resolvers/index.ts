import type { Resolvers } from '../generated/resolvers-types';
import { Product, productMutations, productQueries } from './products';
import { Reservation, reservationMutations, reservationQueries } from './reservations';
import { DateTime } from '@flow/core';
import { Site, StockLevel, StockMovement, stockMutations, stockQueries } from './stock';

export const resolvers: Resolvers = {
  DateTime,
  Query: { ...productQueries, ...stockQueries, ...reservationQueries },
  Mutation: { ...productMutations, ...stockMutations, ...reservationMutations },
  Product,
  StockLevel,
  StockMovement,
  Site,
  Reservation,
};
