import type {
  ClientApplicationResolvers,
  MutationResolvers,
  QueryResolvers,
} from '../generated/resolvers-types';

export const clientApplicationQueries: Pick<QueryResolvers, 'clientApplications'> = {
  clientApplications: (_, args, ctx) => ctx.services.clients.list(ctx, args),
};

export const clientApplicationMutations: Pick<
  MutationResolvers,
  'createClientApplication' | 'rotateClientSecret' | 'revokeClientApplication'
> = {
  createClientApplication: (_, { input }, ctx) => ctx.services.clients.create(ctx, input),
  rotateClientSecret: (_, { id, overlapSeconds }, ctx) =>
    ctx.services.clients.rotateSecret(ctx, id, overlapSeconds),
  revokeClientApplication: (_, { id }, ctx) => ctx.services.clients.revoke(ctx, id),
};

export const ClientApplication: ClientApplicationResolvers = {
  organization: async (application, _, ctx) =>
    (await ctx.loaders.organizationById.load(application.organizationId))!,
};
