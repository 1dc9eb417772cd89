import type { CallContext, SubgraphClient } from '@flow/subgraph-kit';
import { PricingNearestDepotsDocument } from '../../generated/clients/locations';
import type { DepotDistance, NearestDepotsQuery, PricingDependencies } from '../../services/dependencies';

/** locations, as pricing asks which depots can reach a site. */
export class LocationsClient implements Pick<PricingDependencies, 'nearestDepots'> {
  constructor(private readonly locations: SubgraphClient) {}

  async nearestDepots(ctx: CallContext, query: NearestDepotsQuery): Promise<DepotDistance[]> {
    const data = await this.locations.idempotent(ctx, PricingNearestDepotsDocument, query);
    return (data.nearestDepots ?? []).map((d) => ({
      depotId: d.depot.id,
      depotName: d.depot.name,
      organizationId: d.depot.organization.id,
      distanceKm: d.distanceKm,
      durationMinutes: d.durationMinutes,
    }));
  }
}
