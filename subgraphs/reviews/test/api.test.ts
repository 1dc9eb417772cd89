import { randomUUID } from 'node:crypto';
import { PermanentEventError } from '@flow/messaging';
import {
  createReviewsTestEnvironment,
  deliveredEvent,
  HIDE,
  newViewer,
  OFFER_RATINGS,
  offer,
  organization,
  RATING_AND_REVIEWS,
  SUBMIT,
  type ReviewsTestEnvironment,
  type TestViewer,
} from './support';

let t: ReviewsTestEnvironment;

const hospitalStaff = newViewer('HOSPITAL', 'HOSPITAL_STAFF');
const hospitalAdmin = newViewer('HOSPITAL', 'HOSPITAL_ADMIN', hospitalStaff.organizationId);
const otherHospital = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
const vendorAdmin = newViewer('VENDOR', 'VENDOR_ADMIN');
const driver = newViewer('VENDOR', 'DRIVER', vendorAdmin.organizationId);
const otherVendor = newViewer('VENDOR', 'VENDOR_ADMIN');
const platformAdmin = newViewer('PLATFORM', 'PLATFORM_ADMIN');
const hospital = hospitalStaff.organizationId;
const vendor = vendorAdmin.organizationId;

beforeAll(async () => {
  t = await createReviewsTestEnvironment();
});
afterAll(() => t?.stop());

async function as<Data>(viewer: TestViewer | null, query: string, variables: Record<string, unknown> = {}) {
  return t.gql<Data>({ query, variables, token: viewer ? await t.as(viewer) : undefined });
}

/** A delivered order of the hospital by the vendor, made reviewable as orders' event would. */
async function deliveredOrder(daysAgo = 0, parties = { hospital, vendor }) {
  const event = deliveredEvent(parties.hospital, parties.vendor, daysAgo);
  expect(await t.app.services.deliveries.apply(event)).toBe(true);
  return event.data.orderId as string;
}

const codeOf = (result: { errors?: readonly { extensions?: Record<string, unknown> }[] }) =>
  result.errors?.[0]?.extensions;

type Submitted = { submitReview: { id: string; rating: number; comment: string | null } };

async function submit(viewer: TestViewer | null, input: Record<string, unknown>) {
  return as<Submitted>(viewer, SUBMIT, { input });
}

const count = async (table: string, where = 'true') =>
  (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`))[0]!.n;

interface OrganizationView {
  id: string;
  rating: { average: number | null; count: number; distribution: { stars: number; count: number }[] };
  reviews: {
    totalCount: number;
    edges: { node: { id: string; rating: number; hiddenReason: string | null } }[];
  } | null;
}

async function organizationAs(viewer: TestViewer, id: string) {
  const result = await as<{ _entities: OrganizationView[] }>(viewer, RATING_AND_REVIEWS, {
    r: [organization(id)],
  });
  expect(result.errors).toBeUndefined();
  return result.data!._entities[0]!;
}

describe('submitReview', () => {
  it('reviews a delivered order once, recording review.submitted in the same transaction', async () => {
    const orderId = await deliveredOrder();
    const first = await submit(hospitalStaff, { orderId, rating: 4, comment: '  On time.  ' });
    expect(first.errors).toBeUndefined();
    expect(first.data!.submitReview).toMatchObject({
      rating: 4,
      comment: 'On time.',
      vendor: { id: vendor },
      order: { id: orderId },
      hiddenAt: null,
    });
    const events = await t.sql<{ type: string; data: Record<string, unknown>; organization_ids: string[] }>(
      "SELECT type, data, organization_ids FROM outbox_events WHERE data->>'orderId' = $1",
      [orderId],
    );
    expect(events).toEqual([
      {
        type: 'review.submitted',
        data: expect.objectContaining({
          reviewId: first.data!.submitReview.id,
          rating: 4,
          comment: 'On time.',
        }),
        organization_ids: [hospital, vendor],
      },
    ]);

    // Anyone of the hospital, a second time: CONFLICT, nothing written.
    const second = await submit(hospitalAdmin, { orderId, rating: 1 });
    expect(codeOf(second)).toMatchObject({ code: 'CONFLICT', reason: 'ALREADY_REVIEWED' });
    expect(await count('reviews', `order_id = '${orderId}'`)).toBe(1);
    expect(await count('outbox_events', `data->>'orderId' = '${orderId}'`)).toBe(1);
  });

  it('takes one of two concurrent reviews of an order and refuses the other with CONFLICT', async () => {
    const orderId = await deliveredOrder();
    const results = await Promise.all([
      submit(hospitalStaff, { orderId, rating: 5 }),
      submit(hospitalAdmin, { orderId, rating: 2 }),
    ]);
    expect(results.filter((r) => r.errors === undefined)).toHaveLength(1);
    expect(results.map((r) => codeOf(r)?.code).filter(Boolean)).toEqual(['CONFLICT']);
    expect(await count('reviews', `order_id = '${orderId}'`)).toBe(1);
  });

  it('answers NOT_FOUND alike for an order not delivered, unknown, or another hospital’s', async () => {
    const othersOrder = await deliveredOrder(0, { hospital: otherHospital.organizationId, vendor });
    const unknown = await submit(hospitalStaff, { orderId: randomUUID(), rating: 5 });
    const foreign = await submit(hospitalStaff, { orderId: othersOrder, rating: 5 });
    for (const result of [unknown, foreign]) {
      expect(result.data).toBeNull();
      expect(codeOf(result)).toMatchObject({ code: 'NOT_FOUND', entity: 'Order' });
      expect(result.errors![0]!.message).toBe('Order not found.');
    }
    expect(await count('reviews', `order_id = '${othersOrder}'`)).toBe(0);
  });

  it('refuses a review after the window with CONFLICT', async () => {
    const late = await deliveredOrder(31);
    const result = await submit(hospitalStaff, { orderId: late, rating: 3 });
    expect(codeOf(result)).toMatchObject({ code: 'CONFLICT', reason: 'REVIEW_WINDOW_CLOSED' });
    const inTime = await deliveredOrder(29);
    expect((await submit(hospitalStaff, { orderId: inTime, rating: 3 })).errors).toBeUndefined();
  });

  it.each([
    ['a rating of 0', { rating: 0 }, 'input.rating'],
    ['a rating of 6', { rating: 6 }, 'input.rating'],
    ['a comment too long', { rating: 3, comment: 'x'.repeat(2001) }, 'input.comment'],
    ['an order id that is no id', { rating: 3, orderId: 'ORD-1' }, 'input.orderId'],
  ])('refuses %s with BAD_USER_INPUT naming the field, writing nothing', async (_, input, field) => {
    const orderId = await deliveredOrder();
    const before = await count('reviews');
    const result = await submit(hospitalStaff, { orderId, ...input });
    expect(codeOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await count('reviews')).toBe(before);
  });

  // Partners too (policy.test.ts): the test issuer signs people's tokens only.
  it('refuses anonymous callers (UNAUTHENTICATED) and vendors, drivers, platform admins (FORBIDDEN)', async () => {
    const orderId = await deliveredOrder();
    expect(codeOf(await submit(null, { orderId, rating: 5 }))?.code).toBe('UNAUTHENTICATED');
    for (const viewer of [vendorAdmin, driver, platformAdmin])
      expect(codeOf(await submit(viewer, { orderId, rating: 5 }))?.code).toBe('FORBIDDEN');
    expect(await count('reviews', `order_id = '${orderId}'`)).toBe(0);
  });
});

describe('ratings, reviews and moderation', () => {
  const rated = newViewer('VENDOR', 'VENDOR_ADMIN');
  const ids: string[] = [];

  beforeAll(async () => {
    for (const rating of [5, 4, 4, 1]) {
      const orderId = await deliveredOrder(0, { hospital, vendor: rated.organizationId });
      ids.push(
        (await submit(hospitalStaff, { orderId, rating, comment: `${rating} stars` })).data!.submitReview.id,
      );
    }
  });

  it('summarizes the stars for every signed-in user, and lists comments to hospitals and the vendor itself', async () => {
    const seen = await organizationAs(driver, rated.organizationId);
    expect(seen.rating).toEqual({
      average: 3.5,
      count: 4,
      distribution: [1, 0, 0, 2, 1].map((count, i) => ({ stars: i + 1, count })),
    });
    expect(seen.reviews).toBeNull(); // a driver reads stars, not comments
    expect((await organizationAs(otherVendor, rated.organizationId)).reviews).toBeNull();
    expect((await organizationAs(rated, rated.organizationId)).reviews!.totalCount).toBe(4);
    const listed = (await organizationAs(otherHospital, rated.organizationId)).reviews!;
    expect(listed.edges.map((e) => e.node.id)).toEqual([...ids].reverse());
    const none = await organizationAs(otherHospital, randomUUID());
    expect(none.rating).toMatchObject({ average: null, count: 0 });
  });

  it('hides a review (platform admins, idempotent): it leaves the summary and the list, admins see the reason', async () => {
    const hidden = ids[3]!; // the one star
    expect(codeOf(await as(vendorAdmin, HIDE, { id: hidden, reason: 'Abusive' }))?.code).toBe('FORBIDDEN');
    expect(codeOf(await as(platformAdmin, HIDE, { id: hidden, reason: '  ' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'reason',
    });
    expect(codeOf(await as(platformAdmin, HIDE, { id: randomUUID(), reason: 'x' }))?.code).toBe('NOT_FOUND');

    type Hidden = { hideReview: { id: string; hiddenAt: string; hiddenReason: string } };
    const first = await as<Hidden>(platformAdmin, HIDE, { id: hidden, reason: 'Names a driver' });
    const again = await as<Hidden>(platformAdmin, HIDE, { id: hidden, reason: 'Another reason' });
    expect(first.errors).toBeUndefined();
    expect(again.data).toEqual(first.data);
    expect(first.data!.hideReview.hiddenReason).toBe('Names a driver');
    expect(await count('outbox_events', `type = 'review.hidden' AND data->>'reviewId' = '${hidden}'`)).toBe(
      1,
    );

    const forHospital = await organizationAs(otherHospital, rated.organizationId);
    expect(forHospital.rating).toMatchObject({ average: 4.33, count: 3 });
    expect(forHospital.reviews!.edges.map((e) => e.node.id)).not.toContain(hidden);
    expect(forHospital.reviews!.totalCount).toBe(3);
    const forAdmin = await organizationAs(platformAdmin, rated.organizationId);
    expect(forAdmin.rating.count).toBe(3);
    expect(forAdmin.reviews!.totalCount).toBe(4);
    expect(forAdmin.reviews!.edges.find((e) => e.node.id === hidden)!.node.hiddenReason).toBe(
      'Names a driver',
    );
  });

  it('gives each offer its vendor’s average, null for a vendor without reviews', async () => {
    const result = await as<{ _entities: { vendor: { id: string }; vendorRating: number | null }[] }>(
      driver,
      OFFER_RATINGS,
      { r: [offer(rated.organizationId), offer(randomUUID()), offer('not-an-id')] },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities.map((o) => o.vendorRating)).toEqual([4.33, null, null]);
    expect(codeOf(await as(null, OFFER_RATINGS, { r: [offer(rated.organizationId)] }))?.code).toBe(
      'UNAUTHENTICATED',
    );
  });
});

describe('order.delivered events', () => {
  it('a redelivered event changes nothing; events not from orders are ignored; malformed ones dead-lettered', async () => {
    const event = deliveredEvent(hospital, vendor);
    expect(await t.app.services.deliveries.apply(event)).toBe(true);
    const row = await t.sql('SELECT * FROM delivered_orders WHERE order_id = $1::uuid', [event.data.orderId]);
    expect(await t.app.services.deliveries.apply({ ...event })).toBe(false);
    expect(await t.app.services.deliveries.apply({ ...event, id: randomUUID() })).toBe(false);
    expect(
      await t.sql('SELECT * FROM delivered_orders WHERE order_id = $1::uuid', [event.data.orderId]),
    ).toEqual(row);

    const forged = deliveredEvent(hospital, vendor);
    expect(await t.app.services.deliveries.apply({ ...forged, source: 'payments' })).toBe(false);
    expect(await count('delivered_orders', `order_id = '${forged.data.orderId as string}'`)).toBe(0);

    const malformed = { ...deliveredEvent(hospital, vendor), data: { orderId: 'nope' } };
    await expect(t.app.services.deliveries.apply(malformed)).rejects.toThrow(PermanentEventError);
  });
});
