import { entitiesOf } from '@flow/core';
import { withoutDeadline, type CallContext, type SubgraphClient } from '@flow/subgraph-kit';
import {
  OrdersEtaDocument,
  OrdersGrantSiteAccessDocument,
  OrdersRouteDocument,
  OrdersSiteNamesDocument,
} from '../../generated/clients/locations';
import type { PartyDirectory, SitesAndRoutes } from '../../services/dependencies';

/** locations, as orders grants a vendor its delivery site, asks for road distances and names sites. */
export class LocationsClient implements SitesAndRoutes, Pick<PartyDirectory, 'siteNames'> {
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

  async siteNames(ctx: CallContext, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const data = await this.locations.idempotent(ctx, OrdersSiteNamesDocument, {
      representations: ids.map((id) => ({ __typename: 'Site', id })),
    });
    return new Map(entitiesOf('Site', data._entities).map((s) => [s.id, s.name]));
  }
}
