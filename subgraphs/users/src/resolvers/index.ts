import type { Resolvers } from '../generated/resolvers-types';
import { authMutations } from './auth';
import {
  ClientApplication,
  clientApplicationMutations,
  clientApplicationQueries,
} from './client-applications';
import { Organization, organizationMutations, organizationQueries } from './organizations';
import { DateTime } from '@flow/core';
import { User, userMutations, userQueries } from './users';

export const resolvers: Resolvers = {
  DateTime,
  Query: { ...userQueries, ...organizationQueries, ...clientApplicationQueries },
  Mutation: {
    ...authMutations,
    ...userMutations,
    ...organizationMutations,
    ...clientApplicationMutations,
  },
  ClientApplication,
  Organization,
  User,
};
