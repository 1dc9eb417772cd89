import type { Resolvers } from '../generated/resolvers-types';
import { routeQueries } from './routes';
import { DateTime } from '@flow/core';
import { Organization, Site, siteMutations, siteQueries } from './sites';

export const resolvers: Resolvers = {
  DateTime,
  Query: { ...siteQueries, ...routeQueries },
  Mutation: { ...siteMutations },
  Site,
  Organization,
};
