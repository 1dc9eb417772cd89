import type { CallContext } from '@flow/subgraph-kit';
import type { Priority } from '../generated/resolvers-types';

// What orders needs of the other subgraphs: the port the order saga, the recovery job and the
// delivery views are written against. src/clients/ implements it over HTTP, one client per
// subgraph; tests stand in for any of it (test/support.ts).

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

export interface OfferRequest {
  productId: string;
  quantity: number;
  siteId: string;
  priority: Priority;
}

export interface ReserveRequest {
  depotId: string;
  productId: string;
  quantity: number;
  reference: string;
  holdSeconds: number;
  organizationId: string;
}

/** A product as an order line records it: what the catalog called it when the line was held. */
export interface ProductSnapshot {
  id: string;
  name: string;
  sku: string;
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

/** pricing: what each vendor would charge. */
export interface OfferSource {
  offers(ctx: CallContext, request: OfferRequest): Promise<Offer[]>;
}

/** inventory: holds on stock, from placement to delivery. */
export interface StockHolds {
  /** The hold, with its product as the catalog names it now (the line's record of what was ordered). */
  reserve(ctx: CallContext, request: ReserveRequest): Promise<{ id: string; product: ProductSnapshot }>;
  reservationByReference(
    ctx: CallContext,
    organizationId: string,
    reference: string,
  ): Promise<{ id: string; status: string } | null>;
  /** HELD holds older than `olderThanSeconds`, by id after `after`, for the orphan sweep. */
  heldReservations(ctx: CallContext, page: HeldPage): Promise<{ id: string; reference: string }[]>;
  releaseReservation(ctx: CallContext, id: string, reason: string): Promise<void>;
  commitReservation(ctx: CallContext, id: string): Promise<void>;
}

/** inventory's catalog, for lines held before they recorded their product (see ProductSnapshots). */
export interface ProductCatalog {
  /** The products among `ids` that exist, read on behalf of the viewer: one call. */
  products(ctx: CallContext, ids: string[]): Promise<Map<string, ProductSnapshot>>;
  /** The product of the hold with this reference, read as the orders service; null: no such hold. */
  productOfHold(ctx: CallContext, organizationId: string, reference: string): Promise<ProductSnapshot | null>;
}

/** payments: the order's money, every step under an idempotency key. */
export interface PaymentSteps {
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
}

/** locations: the vendor's access to the delivery site, and road distances (null: no route). */
export interface SitesAndRoutes {
  grantSiteAccess(ctx: CallContext, siteId: string, organizationId: string): Promise<void>;
  route(ctx: CallContext, fromSiteId: string, toSiteId: string): Promise<RouteSummary | null>;
  eta(ctx: CallContext, from: { lat: number; lng: number }, toSiteId: string): Promise<RouteSummary | null>;
}

/**
 * users and locations: what an order's parties are called, for names orders has not recorded yet
 * (services/party-names.ts). Read on behalf of the viewer, one call per subgraph for many ids; an
 * id the owner does not answer for is left out.
 */
export interface PartyDirectory {
  organizationNames(ctx: CallContext, ids: string[]): Promise<Map<string, string>>;
  siteNames(ctx: CallContext, ids: string[]): Promise<Map<string, string>>;
}

/** users: who a user is, for rules that depend on another user's role (a driver assignment). */
export interface UserDirectory {
  user(ctx: CallContext, id: string): Promise<UserSummary | null>;
}

export interface OrdersDependencies
  extends
    OfferSource,
    StockHolds,
    ProductCatalog,
    PaymentSteps,
    SitesAndRoutes,
    UserDirectory,
    PartyDirectory {}
