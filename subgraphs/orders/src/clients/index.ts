import { SubgraphClient } from '@flow/subgraph-kit';
import { type Logger } from '@flow/core';
import type { OrdersDependencies } from '../services/dependencies';
import { InventoryClient } from './inventory/inventory-client';
import { LocationsClient } from './locations/locations-client';
import { PaymentsClient } from './payments/payments-client';
import { PricingClient } from './pricing/pricing-client';
import { UsersClient } from './users/users-client';

export interface RemoteDependencyOptions {
  urls: { users: string; locations: string; pricing: string; inventory: string; payments: string };
  secret: string;
  logger: Logger;
  timeoutMs: number;
  paymentsTimeoutMs: number;
}

/**
 * The other subgraphs over HTTP, called as the orders service (inside the request signature), on
 * behalf of the viewer when there is one. One client, so one circuit breaker, per subgraph.
 */
export class RemoteDependencies implements OrdersDependencies {
  private readonly pricing: PricingClient;
  private readonly inventory: InventoryClient;
  private readonly payments: PaymentsClient;
  private readonly locations: LocationsClient;
  private readonly users: UsersClient;

  constructor(options: RemoteDependencyOptions) {
    const client = (name: keyof RemoteDependencyOptions['urls'], timeoutMs = options.timeoutMs) =>
      new SubgraphClient({
        name,
        url: options.urls[name],
        secret: options.secret,
        logger: options.logger,
        timeoutMs,
        service: 'orders',
      });
    this.pricing = new PricingClient(client('pricing'));
    this.inventory = new InventoryClient(client('inventory'));
    this.payments = new PaymentsClient(client('payments', options.paymentsTimeoutMs));
    this.locations = new LocationsClient(client('locations'));
    this.users = new UsersClient(client('users'));
  }

  // The port, step by step, to the client of the subgraph that owns each step.
  offers: OrdersDependencies['offers'] = (...args) => this.pricing.offers(...args);
  reserve: OrdersDependencies['reserve'] = (...args) => this.inventory.reserve(...args);
  reservationByReference: OrdersDependencies['reservationByReference'] = (...args) =>
    this.inventory.reservationByReference(...args);
  products: OrdersDependencies['products'] = (...args) => this.inventory.products(...args);
  organizationNames: OrdersDependencies['organizationNames'] = (...args) =>
    this.users.organizationNames(...args);
  siteNames: OrdersDependencies['siteNames'] = (...args) => this.locations.siteNames(...args);
  productOfHold: OrdersDependencies['productOfHold'] = (...args) => this.inventory.productOfHold(...args);
  heldReservations: OrdersDependencies['heldReservations'] = (...args) =>
    this.inventory.heldReservations(...args);
  releaseReservation: OrdersDependencies['releaseReservation'] = (...args) =>
    this.inventory.releaseReservation(...args);
  commitReservation: OrdersDependencies['commitReservation'] = (...args) =>
    this.inventory.commitReservation(...args);
  authorizePayment: OrdersDependencies['authorizePayment'] = (...args) =>
    this.payments.authorizePayment(...args);
  paymentOfOrder: OrdersDependencies['paymentOfOrder'] = (...args) => this.payments.paymentOfOrder(...args);
  capturePayment: OrdersDependencies['capturePayment'] = (...args) => this.payments.capturePayment(...args);
  voidPayment: OrdersDependencies['voidPayment'] = (...args) => this.payments.voidPayment(...args);
  refundPayment: OrdersDependencies['refundPayment'] = (...args) => this.payments.refundPayment(...args);
  grantSiteAccess: OrdersDependencies['grantSiteAccess'] = (...args) =>
    this.locations.grantSiteAccess(...args);
  route: OrdersDependencies['route'] = (...args) => this.locations.route(...args);
  eta: OrdersDependencies['eta'] = (...args) => this.locations.eta(...args);
  user: OrdersDependencies['user'] = (...args) => this.users.user(...args);
}
