// Test fixtures: the payments subgraph in @flow/testing's environment with the simulated
// provider, signed calls as the orders service, and orders' events.
import { randomUUID } from 'node:crypto';
import { GraphQLError, parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { OrderSnapshot } from '@flow/contracts';
import { createLogger } from '@flow/core';
import { SubgraphClient } from '@flow/subgraph-kit';
import {
  newTestViewer,
  startSubgraphTestEnvironment,
  type SubgraphTestEnvironment,
  TEST_ROUTER_SECRET,
  type TestViewer,
} from '@flow/testing';
import { parsePaymentsConfig, startPaymentsApp, type PaymentsApp, type PaymentsConfig } from '../src';
import { SimulatedProvider } from '../src/services/provider';

export const SECRET = TEST_ROUTER_SECRET;

export type { TestViewer };
export const newViewer = newTestViewer;

export interface PaymentsTestEnvironment extends SubgraphTestEnvironment<PaymentsConfig, PaymentsApp> {
  provider: SimulatedProvider;
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
}

export async function createPaymentsTestEnvironment(
  env: Record<string, string> = {},
): Promise<PaymentsTestEnvironment> {
  const provider = new SimulatedProvider();
  const t = await startSubgraphTestEnvironment({
    name: 'payments',
    start: startPaymentsApp,
    parseConfig: parsePaymentsConfig,
    env: { PROVIDER_TIMEOUT_MS: '300', ...env },
    options: { provider },
  });
  const client = new SubgraphClient({
    name: 'payments',
    url: t.app.url,
    secret: SECRET,
    logger: createLogger('orders-test', 'silent'),
    service: 'orders',
    // A busy machine's first request (cold Prisma) may take seconds: not a payments outage.
    timeoutMs: 30_000,
  });
  const orders: PaymentsTestEnvironment['orders'] = async (viewer) => {
    const ctx = {
      requestId: randomUUID(),
      authorization: viewer ? `Bearer ${await t.as(viewer)}` : null,
      clientAddress: null,
    };
    return {
      mutate: <D>(q: string, v: Record<string, unknown>) => client.once(ctx, typed<D>(q), v),
      query: <D>(q: string, v: Record<string, unknown>) => client.idempotent(ctx, typed<D>(q), v),
    };
  };
  return {
    ...t,
    provider,
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
      t.app.services.orderDrivers.handle({
        id,
        type: driverId ? 'order.dispatched' : 'order.confirmed',
        occurredAt: occurredAt.toISOString(),
        actor: null,
        organizationIds: [],
        data: orderEventData(orderId, driverId),
        source: 'orders',
      }),
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
