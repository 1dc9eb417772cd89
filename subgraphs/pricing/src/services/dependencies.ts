import type { CallContext } from '@flow/subgraph-kit';

// What pricing needs from other subgraphs (the port its services are written against), asked live
// through the platform's resilient client (deadline, retries, circuit breaker) on behalf of the
// viewer: src/clients/ holds one client per subgraph. Each method is ONE call however many vendors
// or depots it is about. Why live calls and not a read model: README.md.

export interface ProductSummary {
  id: string;
  active: boolean;
}

export interface OrganizationSummary {
  id: string;
  /** Shown on the offer (Offer.vendor provides it, so the router does not ask users again). */
  name: string;
  kind: string;
  status: string;
}

export interface DepotDistance {
  depotId: string;
  /** Shown on the offer (Offer.depot provides it, so the router does not ask locations again). */
  depotName: string;
  organizationId: string;
  distanceKm: number;
  durationMinutes: number;
}

export interface NearestDepotsQuery {
  siteId: string;
  organizationIds: string[];
  maxDistanceKm: number;
  first: number;
}

export interface StockAtDepots {
  /** null when the catalog does not know the product. */
  product: ProductSummary | null;
  /** Available quantity by depot id; a depot that does not carry the product is absent. */
  availableByDepot: Map<string, number>;
}

export interface PricingDependencies {
  /** inventory: the product, or null when there is none with this id. */
  product(ctx: CallContext, productId: string): Promise<ProductSummary | null>;
  /** users: the organizations that exist among `ids`, by id. */
  organizations(ctx: CallContext, ids: string[]): Promise<Map<string, OrganizationSummary>>;
  /** locations: depots of the given organizations by road distance from a site, closest first. */
  nearestDepots(ctx: CallContext, query: NearestDepotsQuery): Promise<DepotDistance[]>;
  /** inventory: the product and its available stock at the given depots. */
  stock(ctx: CallContext, productId: string, depotIds: string[]): Promise<StockAtDepots>;
}
