import { errors, requireViewer } from '@flow/core';
import type { MutationResolvers, QueryResolvers, UserResolvers } from '../generated/resolvers-types';

export const userQueries: Pick<QueryResolvers, 'me'> = {
  me: (_, __, ctx) => ctx.services.users.me(ctx),
};

export const userMutations: Pick<MutationResolvers, 'inviteUser'> = {
  inviteUser: (_, { input }, ctx) => ctx.services.users.invite(ctx, input),
};

export const User: UserResolvers = {
  __resolveReference: (reference, ctx) => {
    requireViewer(ctx.viewer);
    return ctx.loaders.userById.load(reference.id);
  },
  email: (user, _, ctx) => ctx.services.users.email(ctx, user),
  organization: async (user, _, ctx) => {
    const organization = await ctx.loaders.organizationById.load(user.organizationId);
    if (!organization) throw errors.notFound('Organization', user.organizationId);
    return organization;
  },
};
