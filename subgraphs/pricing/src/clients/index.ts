import { SubgraphClient } from '@flow/subgraph-kit';
import { type Logger } from '@flow/core';
import type { PricingDependencies } from '../services/dependencies';
import { InventoryClient } from './inventory/inventory-client';
import { LocationsClient } from './locations/locations-client';
import { UsersClient } from './users/users-client';
import { RecentOrganizations } from './users/recent-organizations';

export interface RemoteDependencyOptions {
  urls: { users: string; locations: string; inventory: string };
  secret: string;
  logger: Logger;
  timeoutMs: number;
  /** How long users' answer about an organization is reused (ORGANIZATION_STATUS_CACHE_MS); 0: never. */
  organizationStatusCacheMs?: number;
}

/** The dependencies over HTTP; one client (and so one circuit breaker) per subgraph per process. */
export class RemoteDependencies implements PricingDependencies {
  // Public so that tests can watch each subgraph's circuit breaker.
  readonly users: SubgraphClient;
  readonly locations: SubgraphClient;
  readonly inventory: SubgraphClient;
  private readonly usersClient: UsersClient;
  private readonly locationsClient: LocationsClient;
  private readonly inventoryClient: InventoryClient;
  private readonly recentOrganizations: RecentOrganizations;

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
    this.usersClient = new UsersClient(this.users);
    this.locationsClient = new LocationsClient(this.locations);
    this.inventoryClient = new InventoryClient(this.inventory);
    this.recentOrganizations = new RecentOrganizations(
      (...args) => this.usersClient.organizations(...args),
      options.organizationStatusCacheMs ?? 0,
    );
  }

  product: PricingDependencies['product'] = (...args) => this.inventoryClient.product(...args);
  organizations: PricingDependencies['organizations'] = (...args) =>
    this.recentOrganizations.organizations(...args);
  nearestDepots: PricingDependencies['nearestDepots'] = (...args) =>
    this.locationsClient.nearestDepots(...args);
  stock: PricingDependencies['stock'] = (...args) => this.inventoryClient.stock(...args);
}
