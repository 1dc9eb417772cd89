import { SubgraphClient, type CallContext, type Logger } from '@flow/platform';

// What pricing needs from other subgraphs, asked live through the platform's resilient client
// (deadline, retries for reads, circuit breaker) on behalf of the viewer. Each method is ONE
// call however many vendors or depots it is about. Why live calls and not a read model: README.md.

export interface ProductSummary {
  id: string;
  active: boolean;
}

export interface OrganizationSummary {
  id: string;
  kind: string;
  status: string;
}

export interface DepotDistance {
  depotId: string;
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

const PRODUCT = /* GraphQL */ `
  query PricingProduct($id: ID!) {
    product(id: $id) {
      id
      active
    }
  }
`;

const ORGANIZATIONS = /* GraphQL */ `
  query PricingOrganizations($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Organization {
        id
        kind
        status
      }
    }
  }
`;

const NEAREST_DEPOTS = /* GraphQL */ `
  query PricingNearestDepots($siteId: ID!, $organizationIds: [ID!], $maxDistanceKm: Float, $first: Int) {
    nearestDepots(
      siteId: $siteId
      organizationIds: $organizationIds
      maxDistanceKm: $maxDistanceKm
      first: $first
    ) {
      depot {
        id
        organization {
          id
        }
      }
      distanceKm
      durationMinutes
    }
  }
`;

const STOCK = /* GraphQL */ `
  query PricingStock($productId: ID!, $depotIds: [ID!]!) {
    product(id: $productId) {
      id
      active
    }
    stockLevels(productId: $productId, depotIds: $depotIds) {
      depot {
        id
      }
      available
    }
  }
`;

export interface RemoteDependencyOptions {
  urls: { users: string; locations: string; inventory: string };
  secret: string;
  logger: Logger;
  timeoutMs: number;
}

/** The dependencies over HTTP; one client (and so one circuit breaker) per subgraph per process. */
export class RemoteDependencies implements PricingDependencies {
  readonly users: SubgraphClient;
  readonly locations: SubgraphClient;
  readonly inventory: SubgraphClient;

  constructor(options: RemoteDependencyOptions) {
    const client = (name: keyof RemoteDependencyOptions['urls']) =>
      new SubgraphClient({
        name,
        url: options.urls[name],
        secret: options.secret,
        logger: options.logger,
        timeoutMs: options.timeoutMs,
      });
    this.users = client('users');
    this.locations = client('locations');
    this.inventory = client('inventory');
  }

  async product(ctx: CallContext, productId: string): Promise<ProductSummary | null> {
    const data = await this.inventory.query<{ product: ProductSummary | null }>(ctx, PRODUCT, {
      id: productId,
    });
    return data.product;
  }

  async organizations(ctx: CallContext, ids: string[]): Promise<Map<string, OrganizationSummary>> {
    if (ids.length === 0) return new Map();
    const data = await this.users.query<{ _entities: (OrganizationSummary | null)[] }>(ctx, ORGANIZATIONS, {
      representations: ids.map((id) => ({ __typename: 'Organization', id })),
    });
    const found = data._entities.filter((o): o is OrganizationSummary => o !== null);
    return new Map(found.map((o) => [o.id, o]));
  }

  async nearestDepots(ctx: CallContext, query: NearestDepotsQuery): Promise<DepotDistance[]> {
    const data = await this.locations.query<{
      nearestDepots: {
        depot: { id: string; organization: { id: string } };
        distanceKm: number;
        durationMinutes: number;
      }[];
    }>(ctx, NEAREST_DEPOTS, { ...query });
    return data.nearestDepots.map((d) => ({
      depotId: d.depot.id,
      organizationId: d.depot.organization.id,
      distanceKm: d.distanceKm,
      durationMinutes: d.durationMinutes,
    }));
  }

  async stock(ctx: CallContext, productId: string, depotIds: string[]): Promise<StockAtDepots> {
    const data = await this.inventory.query<{
      product: ProductSummary | null;
      stockLevels: { depot: { id: string }; available: number }[];
    }>(ctx, STOCK, { productId, depotIds });
    return {
      product: data.product,
      availableByDepot: new Map(data.stockLevels.map((level) => [level.depot.id, level.available])),
    };
  }
}
