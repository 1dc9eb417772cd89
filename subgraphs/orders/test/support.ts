// Test fixtures: a JWKS server signing tokens as users does, the orders app on port 0 in a
// Postgres schema of its own (dropped at stop), and a scripted stand-in for the other subgraphs.
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { createLogger } from '@flow/core';
import { dropSchema, subgraphDatabase, type CallContext } from '@flow/subgraph-kit';
import {
  createGraphQLClient,
  databaseUrlForSchema,
  uniqueSchemaName,
  type GraphQLClient,
  newTestViewer,
  startTestTokenIssuer,
  type TestViewer,
} from '@flow/testing';
import { startOrdersApp, type OrdersApp } from '../src/app';
import { parseOrdersConfig, type OrdersConfig } from '../src/env';
import type {
  AuthorizeRequest,
  HeldPage,
  Offer,
  OfferRequest,
  OrdersDependencies,
  PaymentSummary,
  ReserveRequest,
  RouteSummary,
  UserSummary,
} from '../src/services/dependencies';

export const SECRET = 'a-test-router-signing-secret-of-enough-length';

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

export interface RecordedCall {
  step: Step;
  args: unknown[];
}

interface Fault {
  code: string;
  /** The call does its work and then fails (the reply is lost). */
  afterEffect: boolean;
  remaining: number;
  when: (...args: never[]) => boolean;
}

interface Gate {
  reached: () => void;
  opened: Promise<void>;
}

export interface FaultOptions<S extends Step> {
  /** How many calls fail (default: every call until heal). */
  times?: number;
  afterEffect?: boolean;
  /** Only calls whose arguments (after the ctx) match. */
  when?: (...args: DropFirst<Parameters<OrdersDependencies[S]>>) => boolean;
}

type DropFirst<T extends unknown[]> = T extends [unknown, ...infer Rest] ? Rest : never;

/**
 * OrdersDependencies in memory: records every call, keeps holds and payments in maps with the
 * rules of inventory and payments that the saga relies on (idempotent release and keyed money
 * moves, void of a captured payment is CONFLICT), and can be told to fail or hang a step.
 */
export class ScriptedDependencies implements OrdersDependencies {
  readonly calls: RecordedCall[] = [];
  readonly depots: FakeDepot[] = [];
  readonly reservations = new Map<string, FakeReservation>();
  readonly payments = new Map<string, FakePayment>();
  readonly users = new Map<string, UserSummary>();
  /** Every payments idempotency key used, with the payment it moved. */
  readonly paymentKeys = new Map<string, { step: Step; paymentId: string }>();
  private readonly faults = new Map<Step, Fault[]>();
  private readonly gates = new Map<Step, Gate>();
  private readonly openers: (() => void)[] = [];

  fail<S extends Step>(step: S, code: string, options: FaultOptions<S> = {}): void {
    const fault: Fault = {
      code,
      afterEffect: options.afterEffect ?? false,
      remaining: options.times ?? Infinity,
      when: (options.when as Fault['when'] | undefined) ?? (() => true),
    };
    this.faults.set(step, [...(this.faults.get(step) ?? []), fault]);
  }

  /**
   * The next call of `step` waits until `release()`; `reached` resolves when it arrives. Later
   * calls of the step pass (a retry after a hung call should not hang too).
   */
  hang(step: Step): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    const arrived = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const opened = new Promise<void>((resolve) => (release = resolve));
    this.gates.set(step, { reached, opened });
    this.openers.push(release);
    return { reached: arrived, release };
  }

  /** Every fault cleared and every hung call let through. */
  heal(): void {
    this.faults.clear();
    this.gates.clear();
    for (const open of this.openers.splice(0)) open();
  }

  callsOf<S extends Step>(step: S): DropFirst<Parameters<OrdersDependencies[S]>>[] {
    return this.calls
      .filter((c) => c.step === step)
      .map((c) => c.args as DropFirst<Parameters<OrdersDependencies[S]>>);
  }

  /** Calls that mention `text` anywhere in their arguments (e.g. an order or payment id). */
  callsAbout(text: string): RecordedCall[] {
    return this.calls.filter((c) => JSON.stringify(c.args).includes(text));
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

  private async step<T>(step: Step, args: unknown[], work: () => T): Promise<T> {
    this.calls.push({ step, args });
    const gate = this.gates.get(step);
    if (gate) {
      this.gates.delete(step);
      gate.reached();
      await gate.opened;
    }
    const fault = (this.faults.get(step) ?? []).find((f) => f.remaining > 0 && f.when(...(args as never[])));
    if (fault) fault.remaining -= 1;
    if (fault && !fault.afterEffect) throw failure(step, fault.code);
    const result = work();
    if (fault) throw failure(step, fault.code);
    return result;
  }

  offers(_ctx: CallContext, request: OfferRequest): Promise<Offer[]> {
    return this.step('offers', [request], () =>
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

  reserve(_ctx: CallContext, request: ReserveRequest): Promise<{ id: string }> {
    return this.step('reserve', [request], () => {
      // Like inventory: the reference is unique per organization, so a retried hold is the same hold.
      const existing = this.reservationOf(request.organizationId, request.reference);
      return { id: (existing ?? this.landHold(request)).id };
    });
  }

  reservationByReference(_ctx: CallContext, organizationId: string, reference: string) {
    return this.step('reservationByReference', [organizationId, reference], () => {
      const found = this.reservationOf(organizationId, reference);
      return found ? { id: found.id, status: found.status } : null;
    });
  }

  heldReservations(_ctx: CallContext, page: HeldPage) {
    return this.step('heldReservations', [page], () =>
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
    return this.step('releaseReservation', [id, reason], () => {
      const reservation = this.requireReservation(id);
      if (reservation.status === 'COMMITTED') throw failure('releaseReservation', 'CONFLICT');
      if (reservation.status === 'HELD') reservation.reason = reason;
      reservation.status = 'RELEASED';
    });
  }

  commitReservation(_ctx: CallContext, id: string): Promise<void> {
    return this.step('commitReservation', [id], () => {
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
    return this.step('authorizePayment', [request, idempotencyKey], () =>
      this.keyed('authorizePayment', idempotencyKey, () => this.landPayment(request)),
    );
  }

  paymentOfOrder(_ctx: CallContext, orderId: string): Promise<PaymentSummary | null> {
    return this.step('paymentOfOrder', [orderId], () => {
      const payment = this.paymentOf(orderId);
      return payment ? { id: payment.id, status: payment.status } : null;
    });
  }

  capturePayment(_ctx: CallContext, paymentId: string, idempotencyKey: string): Promise<PaymentSummary> {
    return this.step('capturePayment', [paymentId, idempotencyKey], () =>
      this.keyed('capturePayment', idempotencyKey, () =>
        this.move(paymentId, ['AUTHORIZED', 'INVOICED'], 'CAPTURED', 'capturePayment'),
      ),
    );
  }

  voidPayment(_ctx: CallContext, paymentId: string, idempotencyKey: string): Promise<PaymentSummary> {
    return this.step('voidPayment', [paymentId, idempotencyKey], () =>
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
    return this.step('refundPayment', [paymentId, amount, reason, idempotencyKey], () =>
      this.keyed('refundPayment', idempotencyKey, () =>
        this.move(paymentId, ['CAPTURED'], 'REFUNDED', 'refundPayment'),
      ),
    );
  }

  grantSiteAccess(_ctx: CallContext, siteId: string, organizationId: string): Promise<void> {
    return this.step('grantSiteAccess', [siteId, organizationId], () => undefined);
  }

  route(_ctx: CallContext, fromSiteId: string, toSiteId: string): Promise<RouteSummary> {
    return this.step('route', [fromSiteId, toSiteId], () => ({ distanceKm: 12.5, durationMinutes: 25 }));
  }

  eta(_ctx: CallContext, from: { lat: number; lng: number }, toSiteId: string): Promise<RouteSummary> {
    return this.step('eta', [from, toSiteId], () => ({ distanceKm: 4, durationMinutes: 9 }));
  }

  user(_ctx: CallContext, id: string): Promise<UserSummary | null> {
    return this.step('user', [id], () => this.users.get(id) ?? null);
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

export interface OrdersTestEnvironment {
  app: OrdersApp;
  config: OrdersConfig;
  dependencies: ScriptedDependencies;
  gql: GraphQLClient;
  as: (viewer: TestViewer) => Promise<string>;
  /** Every SQL statement the app ran, in order (tests may empty it). */
  statements: string[];
  sql: <Row>(text: string, values?: unknown[]) => Promise<Row[]>;
  stop: () => Promise<void>;
}

export async function createOrdersTestEnvironment(
  overrides: Record<string, string> = {},
): Promise<OrdersTestEnvironment> {
  const issuer = await startTestTokenIssuer();

  const config = parseOrdersConfig({
    FLOW_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    DATABASE_URL: databaseUrlForSchema(uniqueSchemaName('orders_test')),
    USERS_JWKS_URL: issuer.jwksUrl,
    ROUTER_SIGNING_SECRET: SECRET,
    // Tests run the recovery job themselves (services.recovery.runOnce), never on a timer.
    RECOVERY_INTERVAL_MS: '3600000',
    ...overrides,
  });
  const dependencies = new ScriptedDependencies();
  const statements: string[] = [];
  const app = await startOrdersApp(config, createLogger('orders', config.logLevel), {
    dependencies,
    onQuery: (sql) => statements.push(sql),
  });
  const database = subgraphDatabase('orders', { databaseUrl: config.databaseUrl });
  const { prisma } = app;
  const as = (viewer: TestViewer) => issuer.sign(viewer);
  return {
    app,
    config,
    dependencies,
    gql: createGraphQLClient(app.url),
    as,
    statements,
    sql: async <Row>(text: string, values: unknown[] = []) =>
      (await prisma.$queryRawUnsafe(text, ...values)) as Row[],
    stop: async () => {
      // A hung call would keep the server from closing.
      dependencies.heal();
      await app.stop();
      await issuer.stop();
      await dropSchema(database.connectionString, database.schema);
    },
  };
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
