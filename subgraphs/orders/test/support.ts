// Test fixtures: the orders subgraph in @flow/testing's environment, with a scripted stand-in
// for the other subgraphs (ScriptedCalls: every call recorded, any step made to fail or hang).
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { CallContext } from '@flow/subgraph-kit';
import {
  newTestViewer,
  ScriptedCalls,
  startSubgraphTestEnvironment,
  type SubgraphTestEnvironment,
  TEST_ROUTER_SECRET,
  type TestViewer,
} from '@flow/testing';
import { parseOrdersConfig, startOrdersApp, type OrdersApp, type OrdersConfig } from '../src';
import type {
  AuthorizeRequest,
  HeldPage,
  Offer,
  OfferRequest,
  OrdersDependencies,
  PaymentSummary,
  ProductSnapshot,
  ReserveRequest,
  RouteSummary,
  UserSummary,
} from '../src/services/dependencies';

export const SECRET = TEST_ROUTER_SECRET;

export type { TestViewer };
export const newViewer = newTestViewer;

// ---------------------------------------------------------------------------------------------
// The other subgraphs, in memory

export type Step = keyof OrdersDependencies;

/** A depot as pricing would quote it: one delivery fee per order, a unit price per product. */
export interface FakeDepot {
  vendorId: string;
  depotId: string;
  deliveryFeeMinor: number;
  distanceKm: number;
  etaMinutes: number;
  prices: Record<string, number>;
}

export interface FakeReservation extends ReserveRequest {
  id: string;
  status: 'HELD' | 'RELEASED' | 'COMMITTED';
  /** When inventory made it (ms): heldReservations lists only holds older than asked. */
  createdAt: number;
  /** The reason it was released with. */
  reason?: string;
}

export interface FakePayment extends AuthorizeRequest {
  id: string;
  status: 'AUTHORIZED' | 'INVOICED' | 'CAPTURED' | 'VOIDED' | 'REFUNDED';
}

/**
 * OrdersDependencies in memory: records every call, keeps holds and payments in maps with the
 * rules of inventory and payments that the saga relies on (idempotent release and keyed money
 * moves, void of a captured payment is CONFLICT), and can be told to fail or hang a step.
 */
export class ScriptedDependencies extends ScriptedCalls<OrdersDependencies> implements OrdersDependencies {
  readonly depots: FakeDepot[] = [];
  readonly reservations = new Map<string, FakeReservation>();
  readonly payments = new Map<string, FakePayment>();
  readonly users = new Map<string, UserSummary>();
  /** Every payments idempotency key used, with the payment it moved. */
  readonly paymentKeys = new Map<string, { step: Step; paymentId: string }>();

  constructor() {
    super(failure);
  }

  reservationOf(organizationId: string, reference: string): FakeReservation | undefined {
    return [...this.reservations.values()].find(
      (r) => r.organizationId === organizationId && r.reference === reference,
    );
  }

  paymentOf(orderId: string): FakePayment | undefined {
    return [...this.payments.values()].find((p) => p.orderId === orderId);
  }

  /** A payment that payments made although its reply never reached orders (a slow authorize). */
  landPayment(request: AuthorizeRequest): FakePayment {
    const payment: FakePayment = {
      ...request,
      id: randomUUID(),
      status: request.method === 'CARD' ? 'AUTHORIZED' : 'INVOICED',
    };
    this.payments.set(payment.id, payment);
    return payment;
  }

  /** A hold that inventory made although its reply never reached orders (a slow reserve). */
  landHold(request: ReserveRequest): FakeReservation {
    const reservation: FakeReservation = {
      ...request,
      id: randomUUID(),
      status: 'HELD',
      createdAt: Date.now(),
    };
    this.reservations.set(reservation.id, reservation);
    return reservation;
  }

  offers(_ctx: CallContext, request: OfferRequest): Promise<Offer[]> {
    return this.call('offers', [request], () =>
      this.depots
        .filter((depot) => depot.prices[request.productId] !== undefined)
        .map((depot) => {
          const unitPriceMinor = depot.prices[request.productId]!;
          return {
            vendorId: depot.vendorId,
            depotId: depot.depotId,
            productId: request.productId,
            quantity: request.quantity,
            unitPriceMinor,
            subtotalMinor: unitPriceMinor * request.quantity,
            deliveryFeeMinor: depot.deliveryFeeMinor,
            currency: 'USD',
            distanceKm: depot.distanceKm,
            etaMinutes: depot.etaMinutes,
          };
        }),
    );
  }

  /** The catalog: every product exists, named after its id. */
  catalogProduct(id: string): ProductSnapshot {
    return { id, name: `Product ${id.slice(0, 8)}`, sku: `SKU-${id.slice(0, 8)}` };
  }

  reserve(_ctx: CallContext, request: ReserveRequest): Promise<{ id: string; product: ProductSnapshot }> {
    return this.call('reserve', [request], () => {
      // Like inventory: the reference is unique per organization, so a retried hold is the same hold.
      const existing = this.reservationOf(request.organizationId, request.reference);
      return { id: (existing ?? this.landHold(request)).id, product: this.catalogProduct(request.productId) };
    });
  }

  products(_ctx: CallContext, ids: string[]): Promise<Map<string, ProductSnapshot>> {
    return this.call('products', [ids], () => new Map(ids.map((id) => [id, this.catalogProduct(id)])));
  }

  /** Organizations and sites users and locations do not answer for (hidden from the viewer, or gone). */
  readonly unknownParties = new Set<string>();

  /** Every other organization and site exists, named after its id. */
  partyName(id: string): string {
    return `Party ${id.slice(0, 8)}`;
  }

  private named(ids: string[]): Map<string, string> {
    return new Map(ids.filter((id) => !this.unknownParties.has(id)).map((id) => [id, this.partyName(id)]));
  }

  organizationNames(_ctx: CallContext, ids: string[]): Promise<Map<string, string>> {
    return this.call('organizationNames', [ids], () => this.named(ids));
  }

  siteNames(_ctx: CallContext, ids: string[]): Promise<Map<string, string>> {
    return this.call('siteNames', [ids], () => this.named(ids));
  }

  productOfHold(_ctx: CallContext, organizationId: string, reference: string) {
    return this.call('productOfHold', [organizationId, reference], () => {
      const found = this.reservationOf(organizationId, reference);
      return found ? this.catalogProduct(found.productId) : null;
    });
  }

  reservationByReference(_ctx: CallContext, organizationId: string, reference: string) {
    return this.call('reservationByReference', [organizationId, reference], () => {
      const found = this.reservationOf(organizationId, reference);
      return found ? { id: found.id, status: found.status } : null;
    });
  }

  heldReservations(_ctx: CallContext, page: HeldPage) {
    return this.call('heldReservations', [page], () =>
      [...this.reservations.values()]
        .filter(
          (r) =>
            r.status === 'HELD' &&
            r.createdAt <= Date.now() - page.olderThanSeconds * 1000 &&
            (page.after === null || r.id > page.after),
        )
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .slice(0, page.first)
        .map((r) => ({ id: r.id, reference: r.reference })),
    );
  }

  releaseReservation(_ctx: CallContext, id: string, reason: string): Promise<void> {
    return this.call('releaseReservation', [id, reason], () => {
      const reservation = this.requireReservation(id);
      if (reservation.status === 'COMMITTED') throw failure('releaseReservation', 'CONFLICT');
      if (reservation.status === 'HELD') reservation.reason = reason;
      reservation.status = 'RELEASED';
    });
  }

  commitReservation(_ctx: CallContext, id: string): Promise<void> {
    return this.call('commitReservation', [id], () => {
      const reservation = this.requireReservation(id);
      if (reservation.status === 'RELEASED') throw failure('commitReservation', 'CONFLICT');
      reservation.status = 'COMMITTED';
    });
  }

  authorizePayment(
    _ctx: CallContext,
    request: AuthorizeRequest,
    idempotencyKey: string,
  ): Promise<PaymentSummary> {
    return this.call('authorizePayment', [request, idempotencyKey], () =>
      this.keyed('authorizePayment', idempotencyKey, () => this.landPayment(request)),
    );
  }

  paymentOfOrder(_ctx: CallContext, orderId: string): Promise<PaymentSummary | null> {
    return this.call('paymentOfOrder', [orderId], () => {
      const payment = this.paymentOf(orderId);
      return payment ? { id: payment.id, status: payment.status } : null;
    });
  }

  capturePayment(_ctx: CallContext, paymentId: string, idempotencyKey: string): Promise<PaymentSummary> {
    return this.call('capturePayment', [paymentId, idempotencyKey], () =>
      this.keyed('capturePayment', idempotencyKey, () =>
        this.move(paymentId, ['AUTHORIZED', 'INVOICED'], 'CAPTURED', 'capturePayment'),
      ),
    );
  }

  voidPayment(_ctx: CallContext, paymentId: string, idempotencyKey: string): Promise<PaymentSummary> {
    return this.call('voidPayment', [paymentId, idempotencyKey], () =>
      this.keyed('voidPayment', idempotencyKey, () =>
        this.move(paymentId, ['AUTHORIZED', 'INVOICED'], 'VOIDED', 'voidPayment'),
      ),
    );
  }

  refundPayment(
    _ctx: CallContext,
    paymentId: string,
    amount: { amountMinor: number; currency: string },
    reason: string,
    idempotencyKey: string,
  ): Promise<PaymentSummary> {
    return this.call('refundPayment', [paymentId, amount, reason, idempotencyKey], () =>
      this.keyed('refundPayment', idempotencyKey, () =>
        this.move(paymentId, ['CAPTURED'], 'REFUNDED', 'refundPayment'),
      ),
    );
  }

  grantSiteAccess(_ctx: CallContext, siteId: string, organizationId: string): Promise<void> {
    return this.call('grantSiteAccess', [siteId, organizationId], () => undefined);
  }

  route(_ctx: CallContext, fromSiteId: string, toSiteId: string): Promise<RouteSummary> {
    return this.call('route', [fromSiteId, toSiteId], () => ({ distanceKm: 12.5, durationMinutes: 25 }));
  }

  eta(_ctx: CallContext, from: { lat: number; lng: number }, toSiteId: string): Promise<RouteSummary> {
    return this.call('eta', [from, toSiteId], () => ({ distanceKm: 4, durationMinutes: 9 }));
  }

  user(_ctx: CallContext, id: string): Promise<UserSummary | null> {
    return this.call('user', [id], () => this.users.get(id) ?? null);
  }

  private requireReservation(id: string): FakeReservation {
    const reservation = this.reservations.get(id);
    if (!reservation) throw failure('reservation', 'NOT_FOUND');
    return reservation;
  }

  /** Like payments: the same key returns the first result, and moves nothing twice. */
  private keyed(step: Step, key: string, work: () => FakePayment): PaymentSummary {
    const seen = this.paymentKeys.get(key);
    const payment = seen ? this.payments.get(seen.paymentId)! : work();
    if (!seen) this.paymentKeys.set(key, { step, paymentId: payment.id });
    return { id: payment.id, status: payment.status };
  }

  private move(
    paymentId: string,
    from: FakePayment['status'][],
    to: FakePayment['status'],
    step: Step,
  ): FakePayment {
    const payment = this.payments.get(paymentId);
    if (!payment) throw failure(step, 'NOT_FOUND');
    if (!from.includes(payment.status)) throw failure(step, 'CONFLICT');
    payment.status = to;
    return payment;
  }
}

function failure(step: string, code: string): GraphQLError {
  return new GraphQLError(`scripted ${code} from ${step}`, { extensions: { code } });
}

// ---------------------------------------------------------------------------------------------
// The app

export interface OrdersTestEnvironment extends SubgraphTestEnvironment<OrdersConfig, OrdersApp> {
  dependencies: ScriptedDependencies;
}

export async function createOrdersTestEnvironment(
  env: Record<string, string> = {},
): Promise<OrdersTestEnvironment> {
  const dependencies = new ScriptedDependencies();
  const t = await startSubgraphTestEnvironment({
    name: 'orders',
    start: startOrdersApp,
    parseConfig: parseOrdersConfig,
    // Tests run the recovery job themselves (services.recovery.runOnce), never on a timer.
    env: { RECOVERY_INTERVAL_MS: '3600000', ...env },
    options: { dependencies },
  });
  // A hung call would keep the server from closing: healed before everything else closes.
  t.onStop(() => dependencies.heal());
  return { ...t, dependencies };
}

// ---------------------------------------------------------------------------------------------
// Queries

export const ORDER_FIELDS = `id number status priority settlementPending closeReason notes
  paymentMethod purchaseOrderNumber
  site { id } vendor { id } depot { id } hospital { id } placedBy { id }
  items { product { id } quantity unitPrice { amountMinor currency } lineTotal { amountMinor } }
  subtotal { amountMinor } deliveryFee { amountMinor } total { amountMinor currency }
  statusHistory { status actor { id } note }
  delivery { driver { id } status }`;

export const PLACE_ORDER = `mutation ($input: PlaceOrderInput!, $key: String!) {
  placeOrder(input: $input, idempotencyKey: $key) { ${ORDER_FIELDS} } }`;
export const ORDER = `query ($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`;
export const CONFIRM = `mutation ($id: ID!) { confirmOrder(orderId: $id) { ${ORDER_FIELDS} } }`;
export const DISPATCH = `mutation ($id: ID!, $driverId: ID!) {
  dispatchOrder(orderId: $id, driverId: $driverId) { ${ORDER_FIELDS} } }`;
export const CANCEL = `mutation ($id: ID!, $reason: String!) {
  cancelOrder(orderId: $id, reason: $reason) { ${ORDER_FIELDS} } }`;
export const REJECT = `mutation ($id: ID!, $reason: String!) {
  rejectOrder(orderId: $id, reason: $reason) { ${ORDER_FIELDS} } }`;
export const CONFIRM_DELIVERY = `mutation ($id: ID!, $proof: DeliveryProofInput!) {
  confirmDelivery(orderId: $id, proof: $proof) { ${ORDER_FIELDS} } }`;

export interface OrderView {
  id: string;
  number: string;
  status: string;
  priority: string;
  settlementPending: boolean;
  closeReason: string | null;
  notes: string | null;
  site: { id: string };
  vendor: { id: string };
  depot: { id: string };
  hospital: { id: string };
  placedBy: { id: string };
  items: {
    product: { id: string };
    quantity: number;
    unitPrice: { amountMinor: number; currency: string };
    lineTotal: { amountMinor: number };
  }[];
  subtotal: { amountMinor: number };
  deliveryFee: { amountMinor: number };
  total: { amountMinor: number; currency: string };
  statusHistory: { status: string; actor: { id: string } | null; note: string | null }[];
  delivery: { driver: { id: string }; status: string } | null;
}

/** The orders row as the saga and recovery leave it (columns tests look at). */
export interface OrderRow {
  id: string;
  status: string;
  failure_code: string | null;
  compensation_pending: boolean;
  settlement_pending: boolean;
  payment_id: string | null;
  idempotency_key: string;
  created_at: Date;
}

export const ORDER_ROW = `SELECT id::text, status::text, failure_code, compensation_pending, settlement_pending,
  payment_id::text, idempotency_key, created_at FROM orders`;
