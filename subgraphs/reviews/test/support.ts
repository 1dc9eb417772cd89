// Test fixtures: the reviews subgraph in @flow/testing's environment, and order.delivered events
// shaped as orders writes them.
import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '@flow/messaging';
import {
  newTestViewer,
  startSubgraphTestEnvironment,
  type SubgraphTestEnvironment,
  type TestViewer,
} from '@flow/testing';
import { parseReviewsConfig, startReviewsApp, type ReviewsApp, type ReviewsConfig } from '../src';

export type { TestViewer };
export const newViewer = newTestViewer;

export type ReviewsTestEnvironment = SubgraphTestEnvironment<ReviewsConfig, ReviewsApp>;

export const createReviewsTestEnvironment = (env: Record<string, string> = {}) =>
  startSubgraphTestEnvironment({
    name: 'reviews',
    start: startReviewsApp,
    parseConfig: parseReviewsConfig,
    env,
  });

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
