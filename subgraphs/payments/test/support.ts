// Test fixtures: a JWKS server signing tokens as users does, and the payments app on port 0 in a
// Postgres schema of its own (dropped at stop), with the simulated provider.
import { randomUUID } from 'node:crypto';
import { GraphQLError, parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { OrderSnapshot } from '@flow/contracts';
import { createLogger } from '@flow/core';
import { dropSchema, subgraphDatabase, SubgraphClient } from '@flow/subgraph-kit';
import {
  createGraphQLClient,
  databaseUrlForSchema,
  uniqueSchemaName,
  type GraphQLClient,
  newTestViewer,
  startTestTokenIssuer,
  type TestViewer,
} from '@flow/testing';
import { startPaymentsApp, type PaymentsApp } from '../src/app';
import { parsePaymentsConfig, type PaymentsConfig } from '../src/env';
import { SimulatedProvider } from '../src/services/provider';

export const SECRET = 'a-test-router-signing-secret-of-enough-length';

export type { TestViewer };
export const newViewer = newTestViewer;

export interface PaymentsTestEnvironment {
  app: PaymentsApp;
  config: PaymentsConfig;
  provider: SimulatedProvider;
  gql: GraphQLClient;
  as: (viewer: TestViewer) => Promise<string>;
  /** Signed calls as the orders service, on behalf of `viewer`'s token (null: a background job). */
  orders: (viewer: TestViewer | null) => Promise<{
    mutate: <D>(q: string, v: Record<string, unknown>) => Promise<D>;
    query: <D>(q: string, v: Record<string, unknown>) => Promise<D>;
  }>;
  /**
   * authorizePayment as the orders service places an order for `viewer` (the only caller allowed),
   * answered as `{ data, errors }` like `gql`.
   */
  authorize: <D = { authorizePayment: Record<string, unknown> }>(
    viewer: TestViewer,
    input: Record<string, unknown>,
    key?: string,
  ) => Promise<{ data?: D; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  /** Delivers an `order.*` event from orders naming the order's driver, as the event bus does. */
  orderEvent: (orderId: string, driverId: string | null, occurredAt?: Date, id?: string) => Promise<void>;
  statements: string[];
  sql: <Row>(text: string, values?: unknown[]) => Promise<Row[]>;
  stop: () => Promise<void>;
}

export async function createPaymentsTestEnvironment(
  overrides: Record<string, string> = {},
): Promise<PaymentsTestEnvironment> {
  const issuer = await startTestTokenIssuer();

  const config = parsePaymentsConfig({
    FLOW_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    DATABASE_URL: databaseUrlForSchema(uniqueSchemaName('payments_test')),
    USERS_JWKS_URL: issuer.jwksUrl,
    USERS_URL: issuer.usersUrl,
    ROUTER_SIGNING_SECRET: SECRET,
    PROVIDER_TIMEOUT_MS: '300',
    ...overrides,
  });
  const provider = new SimulatedProvider();
  const statements: string[] = [];
  const app = await startPaymentsApp(config, createLogger('payments', config.logLevel), {
    provider,
    onQuery: (sql) => statements.push(sql),
  });
  const database = subgraphDatabase('payments', { databaseUrl: config.databaseUrl });
  const as = (viewer: TestViewer) => issuer.sign(viewer);
  const logger = createLogger('orders-test', 'silent');
  const client = new SubgraphClient({
    name: 'payments',
    url: app.url,
    secret: SECRET,
    logger,
    service: 'orders',
    // A busy machine's first request (cold Prisma) may take seconds: not a payments outage.
    timeoutMs: 30_000,
  });
  const orders: PaymentsTestEnvironment['orders'] = async (viewer) => {
    const ctx = {
      requestId: randomUUID(),
      authorization: viewer ? `Bearer ${await as(viewer)}` : null,
      clientAddress: null,
    };
    return {
      mutate: <D>(q: string, v: Record<string, unknown>) => client.once(ctx, typed<D>(q), v),
      query: <D>(q: string, v: Record<string, unknown>) => client.idempotent(ctx, typed<D>(q), v),
    };
  };
  return {
    app,
    config,
    provider,
    gql: createGraphQLClient(app.url),
    as,
    orders,
    authorize: async (viewer, input, key = randomUUID()) => {
      try {
        return { data: await (await orders(viewer)).mutate(AUTHORIZE, { input, key }) };
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        return { errors: [{ message: error.message, extensions: error.extensions }] };
      }
    },
    orderEvent: (orderId, driverId, occurredAt = new Date(), id = randomUUID()) =>
      app.services.orderDrivers.handle({
        id,
        type: driverId ? 'order.dispatched' : 'order.confirmed',
        occurredAt: occurredAt.toISOString(),
        actor: null,
        organizationIds: [],
        data: orderEventData(orderId, driverId),
        source: 'orders',
      }),
    statements,
    sql: async <Row>(text: string, values: unknown[] = []) =>
      (await app.services.payments['options'].prisma.$queryRawUnsafe(text, ...values)) as Row[],
    stop: async () => {
      await app.stop();
      await issuer.stop();
      await dropSchema(database.connectionString, database.schema);
    },
  };
}

/** An order as orders' events carry it (@flow/contracts), assigned to `driverId`. */
function orderEventData(orderId: string, driverId: string | null): OrderSnapshot {
  return {
    orderId,
    number: 'ORD-2026-000001',
    status: driverId ? 'DISPATCHED' : 'CONFIRMED',
    priority: 'ROUTINE',
    hospitalOrganizationId: randomUUID(),
    vendorOrganizationId: randomUUID(),
    siteId: randomUUID(),
    depotId: randomUUID(),
    driverId,
    total: { amountMinor: 12500, currency: 'USD' },
  };
}

export const PAYMENT_FIELDS = `id orderId status method failureReason providerReference
  amount { amountMinor currency } capturedAmount { amountMinor } refundedAmount { amountMinor }
  refunds { id amount { amountMinor } reason } invoice { id number status purchaseOrderNumber }`;

export const AUTHORIZE = `mutation ($input: AuthorizePaymentInput!, $key: String!) {
  authorizePayment(input: $input, idempotencyKey: $key) { ${PAYMENT_FIELDS} } }`;
export const CAPTURE = `mutation ($id: ID!, $key: String!) { capturePayment(paymentId: $id, idempotencyKey: $key) { ${PAYMENT_FIELDS} } }`;
export const VOID = `mutation ($id: ID!, $key: String!) { voidPayment(paymentId: $id, idempotencyKey: $key) { ${PAYMENT_FIELDS} } }`;
export const REFUND = `mutation ($id: ID!, $amount: MoneyInput!, $key: String!) {
  refundPayment(paymentId: $id, amount: $amount, reason: "damaged cylinder", idempotencyKey: $key) { ${PAYMENT_FIELDS} } }`;
export const PAYMENT = `query ($id: ID!) { payment(id: $id) { ${PAYMENT_FIELDS} } }`;
export const INVOICE_FIELDS = 'id number status paidAt dueAt amount { amountMinor } payment { id status }';
export const MARK_INVOICE_PAID = `mutation ($id: ID!) { markInvoicePaid(invoiceId: $id) { ${INVOICE_FIELDS} } }`;
/** What the orders service's recovery job asks: the payment of each order. */
export const ORDER_PAYMENTS = `query ($r: [_Any!]!) { _entities(representations: $r) {
  ... on Order { id payment { id status orderId } } } }`;

export const orderRefs = (orderIds: string[]) => orderIds.map((id) => ({ __typename: 'Order', id }));

export function invoiceInput(payer: string, payee: string, amountMinor = 2500) {
  return {
    orderId: randomUUID(),
    payerOrganizationId: payer,
    payeeOrganizationId: payee,
    amount: { amountMinor, currency: 'USD' },
    method: 'INVOICE',
    purchaseOrderNumber: 'PO-1001',
  };
}

export function cardInput(payer: string, payee: string, amountMinor = 10000, cardToken = 'tok_visa') {
  return {
    orderId: randomUUID(),
    payerOrganizationId: payer,
    payeeOrganizationId: payee,
    amount: { amountMinor, currency: 'USD' },
    method: 'CARD',
    cardToken,
  };
}

/** A test's GraphQL text as a document for SubgraphClient (the test names the answer's type). */
const typed = <Data>(text: string) => parse(text) as TypedDocumentNode<Data, Record<string, unknown>>;
