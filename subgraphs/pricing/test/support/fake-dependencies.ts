import { errors } from '@flow/core';
import type {
  DepotDistance,
  NearestDepotsQuery,
  OrganizationSummary,
  PricingDependencies,
  ProductSummary,
  StockAtDepots,
} from '../../src/services/dependencies';

/** In-memory users, locations and inventory for service tests; counts and records every call. */
export class FakeDependencies implements PricingDependencies {
  products = new Map<string, ProductSummary>();
  organizationsById = new Map<string, OrganizationSummary>();
  depots: DepotDistance[] = [];
  available = new Map<string, number>();
  calls: { method: string; args: unknown }[] = [];
  /** Makes the named dependency fail as an unreachable one does. */
  down = new Set<'users' | 'locations' | 'inventory'>();

  private check(name: 'users' | 'locations' | 'inventory', method: string, args: unknown) {
    this.calls.push({ method, args });
    if (this.down.has(name)) throw errors.serviceUnavailable(name);
  }

  callsTo(method: string) {
    return this.calls.filter((c) => c.method === method);
  }

  async product(_ctx: unknown, productId: string) {
    this.check('inventory', 'product', productId);
    return this.products.get(productId) ?? null;
  }

  async organizations(_ctx: unknown, ids: string[]) {
    this.check('users', 'organizations', ids);
    return new Map(
      ids.flatMap((id) => (this.organizationsById.has(id) ? [[id, this.organizationsById.get(id)!]] : [])),
    );
  }

  async nearestDepots(_ctx: unknown, query: NearestDepotsQuery) {
    this.check('locations', 'nearestDepots', query);
    return this.depots
      .filter((d) => query.organizationIds.includes(d.organizationId) && d.distanceKm <= query.maxDistanceKm)
      .sort((a, b) => a.distanceKm - b.distanceKm)
      .slice(0, query.first);
  }

  async stock(_ctx: unknown, productId: string, depotIds: string[]): Promise<StockAtDepots> {
    this.check('inventory', 'stock', { productId, depotIds });
    return {
      product: this.products.get(productId) ?? null,
      availableByDepot: new Map(
        depotIds.flatMap((id) => (this.available.has(id) ? [[id, this.available.get(id)!]] : [])),
      ),
    };
  }
}
