import type { QueryResolvers } from '../generated/resolvers-types';

export const routeQueries: Pick<QueryResolvers, 'route' | 'eta' | 'nearestDepots'> = {
  route: (_, { fromSiteId, toSiteId }, ctx) => ctx.services.routes.route(ctx, fromSiteId, toSiteId),
  eta: (_, { from, toSiteId }, ctx) => ctx.services.routes.eta(ctx, from, toSiteId),
  nearestDepots: (_, args, ctx) => ctx.services.routes.nearestDepots(ctx, args),
};
