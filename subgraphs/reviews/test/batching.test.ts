import { randomUUID } from 'node:crypto';
import {
  createReviewsTestEnvironment,
  newViewer,
  OFFER_RATINGS,
  offer,
  organization,
  RATING_AND_REVIEWS,
  type ReviewsTestEnvironment,
} from './support';

// A vendor's rating and reviews must cost the same statements for one organization or offer as
// for twelve: compareOffers' N offers reach reviews as one _entities call, and each list hop is a
// per-request DataLoader.
let t: ReviewsTestEnvironment;
const hospital = newViewer('HOSPITAL', 'HOSPITAL_STAFF');
const vendors = Array.from({ length: 12 }, () => randomUUID());

beforeAll(async () => {
  t = await createReviewsTestEnvironment();
  // Rows straight in the tables: this measures reads. Three reviews per vendor.
  await t.sql(
    `WITH orders AS (
       INSERT INTO delivered_orders (order_id, hospital_organization_id, vendor_organization_id, delivered_at, event_id)
       SELECT gen_random_uuid(), $1::uuid, v, now(), gen_random_uuid()
       FROM unnest($2::uuid[]) v, generate_series(1, 3)
       RETURNING order_id, hospital_organization_id, vendor_organization_id
     )
     INSERT INTO reviews (id, order_id, hospital_organization_id, vendor_organization_id, author_id, rating, comment)
     SELECT gen_random_uuid(), order_id, hospital_organization_id, vendor_organization_id, $3::uuid,
            1 + (row_number() OVER ())::int % 5, 'Fine.'
     FROM orders`,
    [hospital.organizationId, vendors, hospital.userId],
  );
});
afterAll(() => t?.stop());

async function measured(query: string, representations: unknown[]) {
  const token = await t.as(hospital);
  t.statements.length = 0;
  const result = await t.gql<{ _entities: unknown[] }>({ query, variables: { r: representations }, token });
  expect(result.errors).toBeUndefined();
  expect(result.data!._entities).toHaveLength(representations.length);
  return t.statements.length;
}

it('rates 1 and 12 offers in one statement', async () => {
  const one = await measured(OFFER_RATINGS, [offer(vendors[0]!)]);
  const twelve = await measured(OFFER_RATINGS, vendors.map(offer));
  expect(one).toBe(1);
  expect(twelve).toBe(one);
});

it('reads the rating and a page of reviews of 1 and 12 organizations in the same statements', async () => {
  const one = await measured(RATING_AND_REVIEWS, [organization(vendors[0]!)]);
  const twelve = await measured(RATING_AND_REVIEWS, vendors.map(organization));
  // The star counts, the pages, their counts.
  expect(one).toBe(3);
  expect(twelve).toBe(one);
});

it('reads the vendor and its rating under every review of 12 pages in the same statements', async () => {
  const nested = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Organization {
    reviews(first: 3) { edges { node { id vendor { id rating { average } reviews(first: 1) { totalCount } } } } } } } }`;
  const one = await measured(nested, [organization(vendors[0]!)]);
  const twelve = await measured(nested, vendors.map(organization));
  expect(twelve).toBe(one);
});
