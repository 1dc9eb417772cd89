import type { Resolvers } from '../generated/resolvers-types';
import { routeQueries } from './routes';
import { DateTime } from './scalars';
import { Organization, Site, siteMutations, siteQueries } from './sites';

export const resolvers: Resolvers = {
  DateTime,
  Query: { ...siteQueries, ...routeQueries },
  Mutation: { ...siteMutations },
  Site,
  Organization,
};
