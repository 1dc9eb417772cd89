import { createTestEnvironment, type PlatformTestEnvironment } from './environment';
import { ok, platformAdmin, registerOrganization } from './support/actors';
import { brokerForTest, type TestBroker } from './support/broker';
import { CONFIRM, DELIVER, DISPATCH, codeOf, orderClient, until } from './support/orders';
import {
  orderInput,
  productIds,
  setUpHospital,
  setUpVendor,
  type Hospital,
  type PlacedOrder,
  type Vendor,
} from './support/ordering';

// Reviews end to end over RabbitMQ: an order placed and driven to DELIVERED through the saga,
// orders' order.delivered reaching reviews from its durable queue, the review through the router,
// and compareOffers carrying the vendor's rating from reviews by federation.
let t: PlatformTestEnvironment;
let broker: TestBroker;
let adminToken: string;
let vendor: Vendor;
let others: Vendor[];
let hospital: Hospital;
let product: string;
let soleProduct: string;

beforeAll(async () => {
  broker = brokerForTest('reviews');
  t = await createTestEnvironment({ ...broker.env, OUTBOX_INTERVAL_MS: '200' });
  adminToken = await platformAdmin(t.gql);
  [product, soleProduct] = (await productIds(t.gql, adminToken, 2)) as [string, string];
  vendor = await setUpVendor(t.gql, adminToken, {
    productIds: [product, soleProduct],
    onHand: 500,
    unitPrice: 4_000,
  });
  // Two more vendors of `product`, none of `soleProduct`: offers of 3 vendors and of 1.
  others = [
    await setUpVendor(t.gql, adminToken, { productIds: [product], onHand: 500, unitPrice: 4_100 }),
    await setUpVendor(t.gql, adminToken, { productIds: [product], onHand: 500, unitPrice: 4_200 }),
  ];
  hospital = await setUpHospital(t.gql);
}, 180_000);
afterAll(async () => {
  await t?.stop();
  await broker?.remove();
});

const { placed, mutate, sql } = orderClient(() => t);
const newOrder = () =>
  placed(
    hospital,
    orderInput(hospital, [{ productId: product, quantity: 1 }], { vendorId: vendor.admin.organizationId }),
  );

async function delivered(): Promise<PlacedOrder> {
  const order = await newOrder();
  await mutate(vendor.admin.token, CONFIRM, { id: order.id });
  await mutate(vendor.admin.token, DISPATCH, { id: order.id, driver: vendor.driver.userId });
  const done = await mutate(vendor.driver.token, DELIVER, { id: order.id });
  expect(done.errors).toBeUndefined();
  await until(
    async () =>
      (await sql('reviews', 'SELECT 1 FROM delivered_orders WHERE order_id = $1::uuid', [order.id]))
        .length === 1,
    `reviews to learn that order ${order.id} was delivered`,
  );
  return order;
}

const SUBMIT = `mutation ($input: SubmitReviewInput!) {
  submitReview(input: $input) { id rating comment vendor { id name } order { id number status } } }`;
const submit = (token: string, input: Record<string, unknown>) =>
  t.gql<{
    submitReview: { id: string; vendor: { id: string; name: string }; order: { id: string; status: string } };
  }>({ query: SUBMIT, variables: { input }, token });

const RATING = `query ($id: ID!) { organization(id: $id) {
  rating { average count distribution { stars count } } reviews { totalCount edges { node { id rating comment } } } } }`;
type Rated = {
  organization: {
    rating: { average: number | null; count: number };
    reviews: { totalCount: number; edges: { node: { id: string } }[] } | null;
  };
};

const COMPARE = `query ($productId: ID!, $siteId: ID!) {
  compareOffers(productId: $productId, quantity: 1, siteId: $siteId) { vendor { id } total { amountMinor } vendorRating } }`;
type Offers = { compareOffers: { vendor: { id: string }; vendorRating: number | null }[] };

/** The router's calls to reviews so far (its flow_router_subgraph_request_duration_seconds_count). */
async function callsToReviews(): Promise<number> {
  const metrics = await (await fetch(new URL('/metrics', t.routerUrl))).text();
  return metrics
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('flow_router_subgraph_request_duration_seconds_count{') &&
        line.includes('subgraph="reviews"'),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

let reviewId: string;

describe('reviews of delivered orders', () => {
  it('reviews a delivered order once; a second review is CONFLICT', async () => {
    const order = await delivered();
    const first = await submit(hospital.admin.token, {
      orderId: order.id,
      rating: 4,
      comment: 'Sealed, on time.',
    });
    expect(first.errors).toBeUndefined();
    // users names the vendor, orders resolves the order for the hospital: federated fields.
    expect(first.data!.submitReview).toMatchObject({
      rating: 4,
      vendor: { id: vendor.admin.organizationId },
      order: { id: order.id, status: 'DELIVERED' },
    });
    reviewId = first.data!.submitReview.id;
    const second = await submit(hospital.admin.token, { orderId: order.id, rating: 1 });
    expect(codeOf(second)).toBe('CONFLICT');
    expect(second.errors![0]!.extensions).toMatchObject({ reason: 'ALREADY_REVIEWED' });
    // review.submitted went out through reviews' outbox.
    await until(
      async () =>
        (
          await sql(
            'reviews',
            "SELECT 1 FROM outbox_events WHERE type = 'review.submitted' AND published_at IS NOT NULL",
          )
        ).length === 1,
      'review.submitted to be published',
    );
  });

  it('refuses an order not delivered yet, and another hospital’s, alike (NOT_FOUND); a vendor FORBIDDEN', async () => {
    const pending = await newOrder();
    const notYet = await submit(hospital.admin.token, { orderId: pending.id, rating: 5 });
    expect(codeOf(notYet)).toBe('NOT_FOUND');

    const order = await delivered();
    const stranger = await registerOrganization(t.gql, 'HOSPITAL');
    const foreign = await submit(stranger.token, { orderId: order.id, rating: 1 });
    expect(codeOf(foreign)).toBe('NOT_FOUND');
    expect(foreign.errors![0]!.message).toBe(notYet.errors![0]!.message);
    expect(codeOf(await submit(vendor.admin.token, { orderId: order.id, rating: 5 }))).toBe('FORBIDDEN');
    expect(codeOf(await submit('', { orderId: order.id, rating: 5 }))).toBe('UNAUTHENTICATED');
    expect(
      await sql('reviews', 'SELECT 1 FROM reviews WHERE order_id = ANY($1::uuid[])', [
        [pending.id, order.id],
      ]),
    ).toEqual([]);
  });

  it('carries the vendor’s rating on compareOffers, with one call to reviews and flat statements however many offers', async () => {
    const compare = async (productId: string) => {
      const [calls, statements] = [await callsToReviews(), await t.statements('reviews')];
      const data = await ok<Offers>(t.gql, hospital.admin.token, COMPARE, {
        productId,
        siteId: hospital.siteId,
      });
      return {
        offers: data.compareOffers,
        calls: (await callsToReviews()) - calls,
        statements: (await t.statements('reviews')) - statements,
      };
    };
    const three = await compare(product);
    const one = await compare(soleProduct);
    expect(three.offers).toHaveLength(3);
    expect(one.offers).toHaveLength(1);
    const ratingOf = (offers: Offers['compareOffers']) =>
      Object.fromEntries(offers.map((o) => [o.vendor.id, o.vendorRating]));
    expect(ratingOf(three.offers)).toEqual({
      [vendor.admin.organizationId]: 4,
      [others[0]!.admin.organizationId]: null,
      [others[1]!.admin.organizationId]: null,
    });
    expect(three.calls).toBe(1);
    expect(one.calls).toBe(1);
    expect(three.statements).toBe(1);
    expect(one.statements).toBe(three.statements);
  });

  it('a hidden review leaves the summary and the list; platform admins still see it', async () => {
    const before = await ok<Rated>(t.gql, hospital.admin.token, RATING, { id: vendor.admin.organizationId });
    expect(before.organization.rating).toMatchObject({ average: 4, count: 1 });
    const hide = `mutation ($id: ID!) { hideReview(id: $id, reason: "Names a nurse") { id hiddenReason } }`;
    expect(
      codeOf(await t.gql({ query: hide, variables: { id: reviewId }, token: hospital.admin.token })),
    ).toBe('FORBIDDEN');
    await ok(t.gql, adminToken, hide, { id: reviewId });
    await ok(t.gql, adminToken, hide, { id: reviewId }); // idempotent
    const after = await ok<Rated>(t.gql, hospital.admin.token, RATING, { id: vendor.admin.organizationId });
    expect(after.organization.rating).toMatchObject({ average: null, count: 0 });
    expect(after.organization.reviews).toMatchObject({ totalCount: 0, edges: [] });
    const forAdmin = await ok<Rated>(t.gql, adminToken, RATING, { id: vendor.admin.organizationId });
    expect(forAdmin.organization.reviews!.edges.map((e) => e.node.id)).toEqual([reviewId]);
    const offers = await ok<Offers>(t.gql, hospital.admin.token, COMPARE, {
      productId: soleProduct,
      siteId: hospital.siteId,
    });
    expect(offers.compareOffers[0]!.vendorRating).toBeNull();
  });

  it('loses no delivery while reviews is down (killed): the queue holds the event until it is back', async () => {
    const order = await newOrder();
    await mutate(vendor.admin.token, CONFIRM, { id: order.id });
    await mutate(vendor.admin.token, DISPATCH, { id: order.id, driver: vendor.driver.userId });
    await t.stopSubgraph('reviews', 'SIGKILL');
    expect((await mutate(vendor.driver.token, DELIVER, { id: order.id })).errors).toBeUndefined();
    await until(
      async () =>
        (await sql('orders', 'SELECT 1 FROM outbox_events WHERE published_at IS NULL')).length === 0,
      'the orders outbox to drain into RabbitMQ',
    );
    await t.startSubgraph('reviews');
    await until(
      async () => (await submit(hospital.admin.token, { orderId: order.id, rating: 5 })).errors === undefined,
      'the delivery to reach reviews after its restart',
    );
  });

  it('a redelivered order.delivered changes nothing', async () => {
    const rows = async () =>
      sql(
        'reviews',
        'SELECT order_id, hospital_organization_id, delivered_at, event_id FROM delivered_orders ORDER BY order_id',
      );
    const before = await rows();
    const republished = await sql(
      'orders',
      "UPDATE outbox_events SET published_at = NULL WHERE type = 'order.delivered' RETURNING id",
    );
    expect(republished.length).toBe(before.length);
    // A new delivery's event goes out after those copies: once reviews has it, it has seen them all.
    const marker = await delivered();
    const after = await rows();
    expect(after.filter((row) => row.order_id !== marker.id)).toEqual(before);
    expect(after).toHaveLength(before.length + 1);
  });
});
