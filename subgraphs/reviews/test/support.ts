// Test fixtures: a JWKS server signing tokens as users does, the reviews app on port 0 in a
// Postgres schema of its own (dropped at stop), and order.delivered events shaped as orders writes
// them. Kept close to notifications' test/support.ts.
import { randomUUID } from 'node:crypto';
import { createLogger } from '@flow/core';
import type { DomainEvent } from '@flow/messaging';
import { dropSchema, subgraphDatabase } from '@flow/subgraph-kit';
import {
  createGraphQLClient,
  databaseUrlForSchema,
  newTestViewer,
  startTestTokenIssuer,
  uniqueSchemaName,
  type GraphQLClient,
  type TestViewer,
} from '@flow/testing';
import { startReviewsApp, type ReviewsApp } from '../src/app';
import { parseReviewsConfig } from '../src/env';

export const SECRET = 'a-test-router-signing-secret-of-enough-length';

export type { TestViewer };
export const newViewer = newTestViewer;

export interface ReviewsTestEnvironment {
  app: ReviewsApp;
  gql: GraphQLClient;
  as: (viewer: TestViewer) => Promise<string>;
  /** Every SQL statement the app ran, in order (tests may empty it). */
  statements: string[];
  sql: <Row>(text: string, values?: unknown[]) => Promise<Row[]>;
  stop: () => Promise<void>;
}

export async function createReviewsTestEnvironment(
  env: Record<string, string> = {},
): Promise<ReviewsTestEnvironment> {
  const issuer = await startTestTokenIssuer();
  const config = parseReviewsConfig({
    FLOW_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    DATABASE_URL: databaseUrlForSchema(uniqueSchemaName('reviews_test')),
    USERS_JWKS_URL: issuer.jwksUrl,
    ROUTER_SIGNING_SECRET: SECRET,
    ...env,
  });
  const logger = createLogger('reviews', config.logLevel);
  const statements: string[] = [];
  const app = await startReviewsApp(config, logger, { onQuery: (sql) => statements.push(sql) });
  const database = subgraphDatabase('reviews', { databaseUrl: config.databaseUrl });
  return {
    app,
    gql: createGraphQLClient(app.url),
    as: (viewer) => issuer.sign(viewer),
    statements,
    sql: async <Row>(text: string, values: unknown[] = []) =>
      (await app.prisma.$queryRawUnsafe(text, ...values)) as Row[],
    stop: async () => {
      await app.stop();
      await issuer.stop();
      await dropSchema(database.connectionString, database.schema);
    },
  };
}

/** orders' order.delivered for an order of `hospital` delivered by `vendor`, `daysAgo` days ago. */
export function deliveredEvent(
  hospital: string,
  vendor: string,
  daysAgo = 0,
  orderId = randomUUID(),
): DomainEvent {
  return {
    id: randomUUID(),
    type: 'order.delivered',
    occurredAt: new Date(Date.now() - daysAgo * 24 * 60 * 60 * 1000).toISOString(),
    actor: randomUUID(),
    organizationIds: [hospital, vendor],
    source: 'orders',
    data: {
      orderId,
      number: 'ORD-2026-000042',
      status: 'DELIVERED',
      priority: 'ROUTINE',
      hospitalOrganizationId: hospital,
      vendorOrganizationId: vendor,
      siteId: randomUUID(),
      depotId: randomUUID(),
      driverId: randomUUID(),
      total: { amountMinor: 12500, currency: 'USD' },
    },
  };
}

export const SUBMIT = `mutation ($input: SubmitReviewInput!) {
  submitReview(input: $input) { id rating comment vendor { id } order { id } hiddenAt hiddenReason } }`;
export const HIDE = `mutation ($id: ID!, $reason: String!) {
  hideReview(id: $id, reason: $reason) { id hiddenAt hiddenReason } }`;
export const RATING_AND_REVIEWS = `query ($r: [_Any!]!) { _entities(representations: $r) {
  ... on Organization { id rating { average count distribution { stars count } }
    reviews(first: 10) { totalCount edges { node { id rating comment hiddenReason } } } } } }`;
export const OFFER_RATINGS = `query ($r: [_Any!]!) { _entities(representations: $r) {
  ... on Offer { vendor { id } vendorRating } } }`;

export const organization = (id: string) => ({ __typename: 'Organization', id });
export const offer = (vendorId: string) => ({ __typename: 'Offer', vendor: { id: vendorId } });
