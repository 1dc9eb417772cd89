import type {
  MutationResolvers,
  OrganizationResolvers,
  QueryResolvers,
  SiteResolvers,
} from '../generated/resolvers-types';

export const siteQueries: Pick<QueryResolvers, 'site' | 'sites' | 'geocode'> = {
  site: (_, { id }, ctx) => ctx.services.sites.byId(ctx, id),
  sites: (_, args, ctx) => ctx.services.sites.list(ctx, args),
  geocode: (_, { address }, ctx) => ctx.services.sites.geocode(ctx, address),
};

export const siteMutations: Pick<MutationResolvers, 'createSite' | 'grantSiteAccess'> = {
  createSite: (_, { input }, ctx) => ctx.services.sites.create(ctx, input),
  grantSiteAccess: (_, { siteId, organizationId }, ctx) =>
    ctx.services.grants.grant(ctx, siteId, organizationId),
};

export const Site: SiteResolvers = {
  __resolveReference: (reference, ctx) => ctx.services.sites.reference(ctx, reference.id),
  address: (site) => ({
    line1: site.line1,
    city: site.city,
    region: site.region,
    postalCode: site.postalCode,
    country: site.country,
  }),
  position: (site) => ({ lat: site.lat, lng: site.lng }),
  organization: (site) => ({ id: site.organizationId }),
};

export const Organization: OrganizationResolvers = {
  // Organizations are the users subgraph's; here one is just the owner of sites.
  __resolveReference: (reference) => ({ id: reference.id }),
  sites: (organization, args, ctx) => ctx.services.sites.ofOrganization(ctx, organization.id, args),
};
