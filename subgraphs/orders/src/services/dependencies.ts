import { SubgraphClient, withoutDeadline, type CallContext, type Logger } from '@flow/platform';

/** What orders needs of the other subgraphs. Tests may stand in for any of them. */
export interface Offer {
  vendorId: string;
  depotId: string;
  productId: string;
  quantity: number;
  unitPriceMinor: number;
  subtotalMinor: number;
  deliveryFeeMinor: number;
  currency: string;
  distanceKm: number;
  etaMinutes: number;
}

export interface ReserveRequest {
  depotId: string;
  productId: string;
  quantity: number;
  reference: string;
  holdSeconds: number;
  organizationId: string;
}

export interface HeldPage {
  olderThanSeconds: number;
  after: string | null;
  first: number;
}

export interface AuthorizeRequest {
  orderId: string;
  payerOrganizationId: string;
  payeeOrganizationId: string;
  amount: { amountMinor: number; currency: string };
  method: 'CARD' | 'INVOICE';
  cardToken?: string | null;
  purchaseOrderNumber?: string | null;
}

export interface PaymentSummary {
  id: string;
  status: string;
}

export interface RouteSummary {
  distanceKm: number;
  durationMinutes: number;
}

export interface UserSummary {
  id: string;
  role: string;
  organizationId: string;
}

export interface OrdersDependencies {
  offers(ctx: CallContext, request: OfferRequest): Promise<Offer[]>;
  reserve(ctx: CallContext, request: ReserveRequest): Promise<{ id: string }>;
  reservationByReference(
    ctx: CallContext,
    organizationId: string,
    reference: string,
  ): Promise<{ id: string; status: string } | null>;
  /** HELD holds older than `olderThanSeconds`, by id after `after`, for the orphan sweep. */
  heldReservations(ctx: CallContext, page: HeldPage): Promise<{ id: string; reference: string }[]>;
  releaseReservation(ctx: CallContext, id: string, reason: string): Promise<void>;
  commitReservation(ctx: CallContext, id: string): Promise<void>;
  authorizePayment(
    ctx: CallContext,
    request: AuthorizeRequest,
    idempotencyKey: string,
  ): Promise<PaymentSummary>;
  paymentOfOrder(ctx: CallContext, orderId: string): Promise<PaymentSummary | null>;
  capturePayment(ctx: CallContext, paymentId: string, idempotencyKey: string): Promise<PaymentSummary>;
  voidPayment(ctx: CallContext, paymentId: string, idempotencyKey: string): Promise<PaymentSummary>;
  refundPayment(
    ctx: CallContext,
    paymentId: string,
    amount: { amountMinor: number; currency: string },
    reason: string,
    idempotencyKey: string,
  ): Promise<PaymentSummary>;
  grantSiteAccess(ctx: CallContext, siteId: string, organizationId: string): Promise<void>;
  route(ctx: CallContext, fromSiteId: string, toSiteId: string): Promise<RouteSummary>;
  eta(ctx: CallContext, from: { lat: number; lng: number }, toSiteId: string): Promise<RouteSummary>;
  user(ctx: CallContext, id: string): Promise<UserSummary | null>;
}

export interface OfferRequest {
  productId: string;
  quantity: number;
  siteId: string;
  priority: string;
}

const OFFERS = /* GraphQL */ `
  query OrdersOffers($productId: ID!, $quantity: Int!, $siteId: ID!, $priority: Priority) {
    compareOffers(productId: $productId, quantity: $quantity, siteId: $siteId, priority: $priority) {
      vendor {
        id
      }
      depot {
        id
      }
      unitPrice {
        amountMinor
        currency
      }
      subtotal {
        amountMinor
      }
      deliveryFee {
        amountMinor
      }
      distanceKm
      etaMinutes
    }
  }
`;

const RESERVE = /* GraphQL */ `
  mutation OrdersReserve($input: ReserveStockInput!) {
    reserveStock(input: $input) {
      id
    }
  }
`;

const RESERVATION_BY_REFERENCE = /* GraphQL */ `
  query OrdersReservationByReference($organizationId: ID!, $reference: String!) {
    reservationByReference(organizationId: $organizationId, reference: $reference) {
      id
      status
    }
  }
`;

const HELD_RESERVATIONS = /* GraphQL */ `
  query OrdersHeldReservations($olderThanSeconds: Int!, $after: ID, $first: Int) {
    heldReservations(olderThanSeconds: $olderThanSeconds, after: $after, first: $first) {
      id
      reference
    }
  }
`;

const RELEASE = /* GraphQL */ `
  mutation OrdersRelease($id: ID!, $reason: String) {
    releaseReservation(id: $id, reason: $reason) {
      id
      status
    }
  }
`;

const COMMIT = /* GraphQL */ `
  mutation OrdersCommit($id: ID!) {
    commitReservation(id: $id) {
      id
      status
    }
  }
`;

const AUTHORIZE = /* GraphQL */ `
  mutation OrdersAuthorize($input: AuthorizePaymentInput!, $key: String!) {
    authorizePayment(input: $input, idempotencyKey: $key) {
      id
      status
    }
  }
`;

const PAYMENT_OF_ORDER = /* GraphQL */ `
  query OrdersPaymentOfOrder($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Order {
        payment {
          id
          status
        }
      }
    }
  }
`;

const CAPTURE = /* GraphQL */ `
  mutation OrdersCapture($paymentId: ID!, $key: String!) {
    capturePayment(paymentId: $paymentId, idempotencyKey: $key) {
      id
      status
    }
  }
`;

const VOID = /* GraphQL */ `
  mutation OrdersVoid($paymentId: ID!, $key: String!) {
    voidPayment(paymentId: $paymentId, idempotencyKey: $key) {
      id
      status
    }
  }
`;

const REFUND = /* GraphQL */ `
  mutation OrdersRefund($paymentId: ID!, $amount: MoneyInput!, $reason: String!, $key: String!) {
    refundPayment(paymentId: $paymentId, amount: $amount, reason: $reason, idempotencyKey: $key) {
      id
      status
    }
  }
`;

const GRANT = /* GraphQL */ `
  mutation OrdersGrantSiteAccess($siteId: ID!, $organizationId: ID!) {
    grantSiteAccess(siteId: $siteId, organizationId: $organizationId)
  }
`;

const ROUTE = /* GraphQL */ `
  query OrdersRoute($from: ID!, $to: ID!) {
    route(fromSiteId: $from, toSiteId: $to) {
      distanceKm
      durationMinutes
    }
  }
`;

const ETA = /* GraphQL */ `
  query OrdersEta($from: PositionInput!, $to: ID!) {
    eta(from: $from, toSiteId: $to) {
      distanceKm
      durationMinutes
    }
  }
`;

const USER = /* GraphQL */ `
  query OrdersUser($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on User {
        id
        role
        organization {
          id
        }
      }
    }
  }
`;

interface RawOffer {
  vendor: { id: string };
  depot: { id: string };
  unitPrice: { amountMinor: number; currency: string };
  subtotal: { amountMinor: number };
  deliveryFee: { amountMinor: number };
  distanceKm: number;
  etaMinutes: number;
}

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
  private readonly users: SubgraphClient;
  private readonly locations: SubgraphClient;
  private readonly pricing: SubgraphClient;
  private readonly inventory: SubgraphClient;
  private readonly payments: SubgraphClient;

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
    this.users = client('users');
    this.locations = client('locations');
    this.pricing = client('pricing');
    this.inventory = client('inventory');
    this.payments = client('payments', options.paymentsTimeoutMs);
  }

  async offers(ctx: CallContext, request: OfferRequest): Promise<Offer[]> {
    const data = await this.pricing.query<{ compareOffers: RawOffer[] }>(ctx, OFFERS, { ...request });
    return data.compareOffers.map((o) => ({
      vendorId: o.vendor.id,
      depotId: o.depot.id,
      productId: request.productId,
      quantity: request.quantity,
      unitPriceMinor: o.unitPrice.amountMinor,
      subtotalMinor: o.subtotal.amountMinor,
      deliveryFeeMinor: o.deliveryFee.amountMinor,
      currency: o.unitPrice.currency,
      distanceKm: o.distanceKm,
      etaMinutes: o.etaMinutes,
    }));
  }

  async reserve(ctx: CallContext, request: ReserveRequest) {
    const data = await this.inventory.mutate<{ reserveStock: { id: string } }>(ctx, RESERVE, {
      input: request,
    });
    return data.reserveStock;
  }

  async reservationByReference(ctx: CallContext, organizationId: string, reference: string) {
    // A read, but of a fact that may still change under a slow write: the caller decides.
    const data = await this.inventory.query<{
      reservationByReference: { id: string; status: string } | null;
    }>(withoutDeadline(ctx), RESERVATION_BY_REFERENCE, { organizationId, reference });
    return data.reservationByReference;
  }

  async heldReservations(ctx: CallContext, page: HeldPage) {
    const data = await this.inventory.query<{ heldReservations: { id: string; reference: string }[] }>(
      ctx,
      HELD_RESERVATIONS,
      { ...page },
    );
    return data.heldReservations;
  }

  // Saga steps and their compensations run under withoutDeadline: once the saga has begun, a
  // step cut off by the caller's deadline would leave stock or money for the recovery job.
  async releaseReservation(ctx: CallContext, id: string, reason: string) {
    // Releasing is idempotent in inventory, so a retry is safe.
    await this.inventory.query(withoutDeadline(ctx), RELEASE, { id, reason });
  }

  async commitReservation(ctx: CallContext, id: string) {
    await this.inventory.query(withoutDeadline(ctx), COMMIT, { id });
  }

  async authorizePayment(ctx: CallContext, request: AuthorizeRequest, idempotencyKey: string) {
    const data = await this.payments.mutate<{ authorizePayment: PaymentSummary }>(ctx, AUTHORIZE, {
      input: request,
      key: idempotencyKey,
    });
    return data.authorizePayment;
  }

  async paymentOfOrder(ctx: CallContext, orderId: string) {
    const data = await this.payments.query<{ _entities: ({ payment: PaymentSummary | null } | null)[] }>(
      ctx,
      PAYMENT_OF_ORDER,
      { representations: [{ __typename: 'Order', id: orderId }] },
    );
    return data._entities[0]?.payment ?? null;
  }

  // Capture, void and refund run under idempotency keys in payments: retrying them is safe.
  async capturePayment(ctx: CallContext, paymentId: string, idempotencyKey: string) {
    const data = await this.payments.query<{ capturePayment: PaymentSummary }>(
      withoutDeadline(ctx),
      CAPTURE,
      {
        paymentId,
        key: idempotencyKey,
      },
    );
    return data.capturePayment;
  }

  async voidPayment(ctx: CallContext, paymentId: string, idempotencyKey: string) {
    const data = await this.payments.query<{ voidPayment: PaymentSummary }>(withoutDeadline(ctx), VOID, {
      paymentId,
      key: idempotencyKey,
    });
    return data.voidPayment;
  }

  async refundPayment(
    ctx: CallContext,
    paymentId: string,
    amount: { amountMinor: number; currency: string },
    reason: string,
    idempotencyKey: string,
  ) {
    const data = await this.payments.query<{ refundPayment: PaymentSummary }>(withoutDeadline(ctx), REFUND, {
      paymentId,
      amount,
      reason,
      key: idempotencyKey,
    });
    return data.refundPayment;
  }

  async grantSiteAccess(ctx: CallContext, siteId: string, organizationId: string) {
    await this.locations.query(withoutDeadline(ctx), GRANT, { siteId, organizationId });
  }

  async route(ctx: CallContext, fromSiteId: string, toSiteId: string) {
    const data = await this.locations.query<{ route: RouteSummary }>(ctx, ROUTE, {
      from: fromSiteId,
      to: toSiteId,
    });
    return data.route;
  }

  async eta(ctx: CallContext, from: { lat: number; lng: number }, toSiteId: string) {
    const data = await this.locations.query<{ eta: RouteSummary }>(ctx, ETA, { from, to: toSiteId });
    return data.eta;
  }

  async user(ctx: CallContext, id: string) {
    const data = await this.users.query<{
      _entities: ({ id: string; role: string; organization: { id: string } } | null)[];
    }>(ctx, USER, { representations: [{ __typename: 'User', id }] });
    const found = data._entities[0];
    return found ? { id: found.id, role: found.role, organizationId: found.organization.id } : null;
  }
}
