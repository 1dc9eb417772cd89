import type { Resolvers } from '../generated/resolvers-types';
import { authMutations } from './auth';
import { Organization, organizationMutations, organizationQueries } from './organizations';
import { DateTime } from '@flow/platform';
import { User, userMutations, userQueries } from './users';

export const resolvers: Resolvers = {
  DateTime,
  Query: { ...userQueries, ...organizationQueries },
  Mutation: { ...authMutations, ...userMutations, ...organizationMutations },
  Organization,
  User,
};
