import { withoutDeadline, type CallContext, type SubgraphClient } from '@flow/subgraph-kit';
import {
  OrdersEtaDocument,
  OrdersGrantSiteAccessDocument,
  OrdersRouteDocument,
} from '../../generated/clients/locations';
import type { SitesAndRoutes } from '../../services/dependencies';

/** locations, as orders grants a vendor its delivery site and asks for road distances. */
export class LocationsClient implements SitesAndRoutes {
  constructor(private readonly locations: SubgraphClient) {}

  async grantSiteAccess(ctx: CallContext, siteId: string, organizationId: string) {
    // A saga step (withoutDeadline), idempotent in locations: a second grant keeps the first.
    await this.locations.idempotent(withoutDeadline(ctx), OrdersGrantSiteAccessDocument, {
      siteId,
      organizationId,
    });
  }

  async route(ctx: CallContext, fromSiteId: string, toSiteId: string) {
    const data = await this.locations.idempotent(ctx, OrdersRouteDocument, {
      from: fromSiteId,
      to: toSiteId,
    });
    return data.route;
  }

  async eta(ctx: CallContext, from: { lat: number; lng: number }, toSiteId: string) {
    const data = await this.locations.idempotent(ctx, OrdersEtaDocument, { from, to: toSiteId });
    return data.eta;
  }
}
