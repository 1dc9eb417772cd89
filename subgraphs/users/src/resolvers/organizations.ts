import { requireViewer } from '@flow/core';
import type { MutationResolvers, OrganizationResolvers, QueryResolvers } from '../generated/resolvers-types';
import { canManageOrganization as canManage } from '../services/policy';

export const organizationQueries: Pick<QueryResolvers, 'organization' | 'organizations'> = {
  organization: (_, { id }, ctx) => ctx.services.organizations.byId(ctx, id),
  organizations: (_, args, ctx) => ctx.services.organizations.list(ctx, args),
};

export const organizationMutations: Pick<MutationResolvers, 'approveOrganization' | 'suspendOrganization'> = {
  approveOrganization: (_, { id }, ctx) => ctx.services.organizations.approve(ctx, id),
  suspendOrganization: (_, { id, reason }, ctx) => ctx.services.organizations.suspend(ctx, id, reason),
};

export const Organization: OrganizationResolvers = {
  __resolveReference: (reference, ctx) => {
    requireViewer(ctx.viewer);
    return ctx.loaders.organizationById.load(reference.id);
  },
  suspendedReason: (organization, _, ctx) =>
    canManage(ctx.viewer, organization.id) ? organization.suspendedReason : null,
  users: (organization, args, ctx) => ctx.services.users.listOfOrganization(ctx, organization.id, args),
};
