// The demo data `npm start` seeds, made by the real seed (scripts/seed-demo.ts) through the
// router of a running platform whose users subgraph seeded the demo accounts (SEED_DEMO_DATA),
// as `npm start` runs it: first a run that is cut short, then one that finishes the market (its
// reviews too, once reviews has heard of the deliveries), then one more, as the next start does.
// test/start.test.ts checks the same market through `npm start` itself.
import { demoAccounts } from '@flow/users/demo-accounts';
import { createGraphQLClient, until, type GraphQLClient } from '@flow/testing';
import {
  DemoApi,
  ST_MARY_MAIN_CAMPUS,
  demoOrders,
  demoVendors,
  seedDemoMarket,
  seedReviews,
  type DemoSeedReport,
} from '../scripts/demo';
import { seedDemoCatalog } from '../scripts/seed-demo';
import { createTestEnvironment, type PlatformTestEnvironment } from './environment';

interface Money {
  amountMinor: number;
  currency: string;
}

let t: PlatformTestEnvironment;
let first: DemoSeedReport;
const printed: string[] = [];
let placementsSent = 0;
beforeAll(async () => {
  t = await createTestEnvironment({ SEED_DEMO_DATA: 'true' });
  // A first run stops where a killed seed would: the reply to its fourth placement is lost
  // (the order exists). The next run must finish the market without placing anything twice.
  const router = createGraphQLClient(t.routerUrl);
  const losesAReply: GraphQLClient = async <Data>(request: Parameters<GraphQLClient>[0]) => {
    const response = await router<Data>(request);
    if (request.query.includes('placeOrder(') && ++placementsSent === 4) throw new Error('connection lost');
    return response;
  };
  await expect(seedDemoMarket(t.routerUrl, losesAReply)).rejects.toThrow('connection lost');
  first = await seedDemoCatalog(t.routerUrl, (line) => printed.push(line));
}, 300_000);
afterAll(() => t?.stop());

async function signIn(email: string, password: string) {
  const result = await t.gql<{
    login: { accessToken: string; user: { role: string; organization: { name: string; kind: string } } };
  }>({
    query:
      'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken user { role organization { name kind } } } }',
    variables: { email, password },
  });
  expect(result.errors).toBeUndefined();
  return result.data!.login;
}

async function query<Data>(token: string, text: string, variables?: Record<string, unknown>) {
  const result = await t.gql<Data>({ query: text, variables, token });
  expect(result.errors).toBeUndefined();
  return result.data!;
}

const hospitalAdmin = demoAccounts.find(({ email }) => email === 'hospital.admin@demo.flow.local')!;
const platformAdmin = { email: 'admin@flow.local', password: 'flow-admin-password' };

interface Catalog {
  products: {
    edges: { node: { id: string; sku: string; category: string; gasContentLiters: number | null } }[];
  };
  priceList: { edges: { node: { vendor: { name: string }; product: { id: string }; unitPrice: Money } }[] };
}
const CATALOG =
  '{ products(first: 100) { edges { node { id sku category gasContentLiters } } } priceList(first: 100) { edges { node { vendor { name } product { id } unitPrice { amountMinor currency } } } } }';

async function offersAtMainCampus(token: string, sku: string, priority = 'ROUTINE') {
  const { sites, products } = await query<{
    sites: { edges: { node: { id: string; name: string } }[] };
    products: { edges: { node: { id: string; sku: string } }[] };
  }>(
    token,
    '{ sites(kind: HOSPITAL_SITE) { edges { node { id name } } } products(first: 100) { edges { node { id sku } } } }',
  );
  const site = sites.edges.find(({ node }) => node.name === ST_MARY_MAIN_CAMPUS)!.node;
  const product = products.edges.find(({ node }) => node.sku === sku)!.node;
  const data = await query<{
    compareOffers: {
      vendor: { id: string; name: string };
      depot: { name: string };
      total: Money;
      distanceKm: number;
      vendorRating: number | null;
    }[];
  }>(
    token,
    'query ($p: ID!, $s: ID!, $priority: Priority) { compareOffers(productId: $p, quantity: 5, siteId: $s, priority: $priority) { vendor { id name } depot { name } total { amountMinor currency } distanceKm vendorRating } }',
    { p: product.id, s: site.id, priority },
  );
  return data.compareOffers;
}

describe('the demo market', () => {
  it('signs in every demo account as its role in its organization', async () => {
    for (const account of demoAccounts) {
      const { user } = await signIn(account.email, account.password);
      expect([account.email, user.role, user.organization.name]).toEqual([
        account.email,
        account.role,
        account.organization,
      ]);
    }
    expect(printed).toEqual([expect.stringMatching(/^Demo market seeded: 3 vendors, 2 hospitals/)]);
  });

  it('offers the demo hospital three vendors at different landed prices and distances', async () => {
    const { accessToken } = await signIn(hospitalAdmin.email, hospitalAdmin.password);
    // The 2 L cylinder: the first cylinder by name, which README's "try" query picks.
    const offers = await offersAtMainCampus(accessToken, 'O2-CYL-2L');
    expect(offers.map(({ vendor }) => vendor.name).sort()).toEqual(
      demoVendors.map(({ organization }) => organization).sort(),
    );
    expect(new Set(offers.map(({ total }) => total.amountMinor)).size).toBe(3);
    expect(new Set(offers.map(({ distanceKm }) => distanceKm)).size).toBe(3);
    for (const { distanceKm } of offers) expect(distanceKm).toBeGreaterThan(10);
    // Cheapest first; the nearest vendor wins an emergency (the surcharges differ).
    const totals = offers.map(({ total }) => total.amountMinor);
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
    const emergency = await offersAtMainCampus(accessToken, 'O2-CYL-2L', 'EMERGENCY');
    const nearest = [...emergency].sort((a, b) => a.distanceKm - b.distanceKm)[0]!;
    expect(emergency[0]!.vendor.name).toBe(nearest.vendor.name);
    expect(emergency[0]!.vendor.name).not.toBe(offers[0]!.vendor.name);
  });

  it('prices every catalog product, each size sensibly, with stock at every seller', async () => {
    const { accessToken } = await signIn(hospitalAdmin.email, hospitalAdmin.password);
    const { products, priceList } = await query<Catalog>(accessToken, CATALOG);
    const priceOf = (vendor: string, productId: string) =>
      priceList.edges.find(({ node }) => node.vendor.name === vendor && node.product.id === productId)?.node
        .unitPrice.amountMinor;
    for (const { node: product } of products.edges) {
      const sellers = priceList.edges.filter(({ node }) => node.product.id === product.id);
      expect([product.sku, sellers.length > 0]).toEqual([product.sku, true]);
    }
    const bySku = (sku: string) => products.edges.find(({ node }) => node.sku === sku)!.node;
    const cylinders = products.edges
      .map(({ node }) => node)
      .filter(({ category }) => category === 'CYLINDER')
      .sort((a, b) => a.gasContentLiters! - b.gasContentLiters!);
    for (const { organization } of demoVendors) {
      // A cylinder that holds more gas costs more, at every vendor.
      const prices = cylinders.map(({ id }) => priceOf(organization, id)).filter((p) => p !== undefined);
      expect(prices).toEqual([...prices].sort((a, b) => a - b));
      expect(new Set(prices).size).toBe(prices.length);
    }
    const twoLitre = priceOf('AirLife Oxygen Supply', bySku('O2-CYL-2L').id)!;
    const fiftyLitre = priceOf('AirLife Oxygen Supply', bySku('O2-CYL-50L').id)!;
    expect(fiftyLitre).toBeGreaterThan(4 * twoLitre);
    expect(priceOf('AirLife Oxygen Supply', bySku('CONC-10LPM').id)).toBeGreaterThan(
      priceOf('AirLife Oxygen Supply', bySku('CONC-5LPM').id)!,
    );

    // Every vendor that prices a product stocks it at its depot.
    const stock = await query<{
      products: {
        edges: {
          node: { id: string; stockLevels: { depot: { organization: { name: string } }; onHand: number }[] };
        }[];
      };
    }>(
      accessToken,
      '{ products(first: 20) { edges { node { id stockLevels { depot { organization { name } } onHand } } } } }',
    );
    for (const { node } of priceList.edges) {
      const levels = stock.products.edges.find(({ node: p }) => p.id === node.product.id)!.node.stockLevels;
      const level = levels.find(({ depot }) => depot.organization.name === node.vendor.name);
      expect(level?.onHand).toBeGreaterThan(0);
    }
  });

  it('has delivered orders, driven through the saga, and one on its way', async () => {
    const delivered = demoOrders.filter(({ target }) => target === 'DELIVERED');
    expect(first.orders.map(({ demo, status }) => [demo.key, status])).toEqual(
      demoOrders.map(({ key, target }) => [key, target]),
    );
    const admin = await signIn(platformAdmin.email, platformAdmin.password);
    const { orders } = await query<{
      orders: {
        edges: {
          node: {
            id: string;
            status: string;
            vendor: { name: string };
            statusHistory: { status: string; actor: { role: string } | null }[];
            delivery: {
              driver: { email: string };
              lastPosition: { lat: number } | null;
              proof: { receivedBy: string } | null;
            };
          };
        }[];
      };
    }>(
      admin.accessToken,
      '{ orders(first: 50) { edges { node { id status vendor { name } statusHistory { status actor { role } } delivery { driver { email } lastPosition { lat } proof { receivedBy } } } } } }',
    );
    // One order per demo order, though a run stopped after placing one without hearing back.
    expect(placementsSent).toBeGreaterThanOrEqual(4); // ORDER_PENDING is asked again
    expect(orders.edges).toHaveLength(demoOrders.length);
    const byId = new Map(orders.edges.map(({ node }) => [node.id, node]));
    for (const seeded of first.orders) {
      const order = byId.get(seeded.id)!;
      const vendor = demoVendors.find(({ organization }) => organization === seeded.demo.vendor)!;
      expect(order.vendor.name).toBe(vendor.organization);
      expect(order.delivery?.driver.email).toBe(vendor.driver);
      if (seeded.demo.target === 'DISPATCHED') {
        expect(order.status).toBe('DISPATCHED');
        expect(order.delivery?.lastPosition).not.toBeNull();
        continue;
      }
      expect(order.status).toBe('DELIVERED');
      expect(order.delivery?.proof?.receivedBy).toBe(seeded.demo.receivedBy);
      // Each move made by the person whose move it is.
      expect(order.statusHistory.map(({ status, actor }) => [status, actor?.role])).toEqual([
        ['PLACED', 'HOSPITAL_ADMIN'],
        ['CONFIRMED', 'VENDOR_ADMIN'],
        ['DISPATCHED', 'VENDOR_ADMIN'],
        ['DELIVERED', 'DRIVER'],
      ]);
    }
    expect(first.orders.filter(({ status }) => status === 'DELIVERED')).toHaveLength(delivered.length);
    expect(delivered.length).toBeGreaterThanOrEqual(3);
  });

  it('gives platformStats numbers: the demo orders by status, their value and three vendors', async () => {
    const admin = await signIn(platformAdmin.email, platformAdmin.password);
    const { orders } = await query<{
      orders: { edges: { node: { status: string; total: { amountMinor: number } } }[] };
    }>(admin.accessToken, '{ orders(first: 50) { edges { node { status total { amountMinor } } } } }');
    const expected = new Map<string, number>();
    for (const { node } of orders.edges) expected.set(node.status, (expected.get(node.status) ?? 0) + 1);
    const value = orders.edges.reduce((sum, { node }) => sum + node.total.amountMinor, 0);
    type Stats = {
      platformStats: {
        ordersByStatus: { status: string; count: number }[];
        grossMerchandiseValue: { amountMinor: number };
        averageDeliveryMinutes: number | null;
        topVendors: { vendor: { id: string }; orders: number }[];
      };
    };
    const read = () =>
      query<Stats>(
        admin.accessToken,
        '{ platformStats { ordersByStatus { status count } grossMerchandiseValue { amountMinor } averageDeliveryMinutes topVendors { vendor { id } orders } } }',
      );
    // admin hears the demo's events after the seed returns (the outbox relay pushes them).
    let stats = await read();
    await until(async () => {
      stats = await read();
      const counted = new Map(stats.platformStats.ordersByStatus.map(({ status, count }) => [status, count]));
      return [...expected].every(([status, count]) => counted.get(status) === count);
    }, 'admin to count every demo order by its status');
    expect(stats.platformStats.grossMerchandiseValue.amountMinor).toBe(value);
    expect(stats.platformStats.averageDeliveryMinutes).not.toBeNull();
    expect(stats.platformStats.topVendors).toHaveLength(demoVendors.length);
    expect(stats.platformStats.topVendors.reduce((sum, { orders: n }) => sum + n, 0)).toBe(
      orders.edges.length,
    );
  });

  it("rates each vendor by its hospitals' reviews of the delivered demo orders", async () => {
    const reviewed = demoOrders.filter(({ target, review }) => target === 'DELIVERED' && review);
    expect(first.reviewed).toBe(reviewed.length);
    expect(printed).toEqual([
      expect.stringContaining(`(${reviewed.length} delivered, ${reviewed.length} reviewed)`),
    ]);
    const { accessToken } = await signIn(hospitalAdmin.email, hospitalAdmin.password);
    const offers = await offersAtMainCampus(accessToken, 'O2-CYL-2L');
    expect(offers).toHaveLength(3);
    const { v0, v1, v2 } = await query<
      Record<
        string,
        {
          name: string;
          rating: { average: number | null; count: number };
          reviews: { edges: { node: { rating: number; comment: string; order: { id: string } } }[] };
        }
      >
    >(
      accessToken,
      `query (${offers.map((_, i) => `$v${i}: ID!`).join(', ')}) { ${offers
        .map(
          (_, i) =>
            `v${i}: organization(id: $v${i}) { name rating { average count } reviews { edges { node { rating comment order { id } } } } }`,
        )
        .join(' ')} }`,
      Object.fromEntries(offers.map(({ vendor }, i) => [`v${i}`, vendor.id])),
    );
    const rated = new Map([v0!, v1!, v2!].map((organization) => [organization.name, organization]));
    for (const { organization } of demoVendors) {
      const stars = reviewed
        .filter(({ vendor }) => vendor === organization)
        .map(({ review }) => review!.rating);
      const mean = stars.length
        ? Math.round((stars.reduce((a, b) => a + b, 0) / stars.length) * 100) / 100
        : null;
      const offer = offers.find(({ vendor }) => vendor.name === organization)!;
      const vendor = rated.get(organization)!;
      expect([organization, offer.vendorRating, vendor.rating]).toEqual([
        organization,
        mean,
        { average: mean, count: stars.length },
      ]);
      // Each review is its hospital's, of its order, as the demo data gives it.
      const seeded = first.orders.filter(({ demo }) => demo.vendor === organization && demo.review);
      expect(
        vendor.reviews.edges.map(({ node }) => node).sort((a, b) => a.order.id.localeCompare(b.order.id)),
      ).toEqual(
        seeded
          .map(({ id, demo }) => ({ ...demo.review!, order: { id } }))
          .sort((a, b) => a.order.id.localeCompare(b.order.id)),
      );
    }
    // Every demo vendor has delivered reviewed orders: the demo shows a rating on every offer.
    expect(offers.map(({ vendorRating }) => vendorRating)).not.toContain(null);
  });

  it('changes nothing when seeded again, as the next start does', async () => {
    const { accessToken } = await signIn(hospitalAdmin.email, hospitalAdmin.password);
    const before = await query<Catalog>(accessToken, CATALOG);
    const offersBefore = await offersAtMainCampus(accessToken, 'O2-CYL-E');
    const lines: string[] = [];
    const second = await seedDemoCatalog(t.routerUrl, (line) => lines.push(line));
    expect(second.changes).toBe(0);
    expect(lines).toEqual([expect.stringMatching(/^Demo market already in place: .* nothing changed\.$/)]);
    // Only the hospital and vendor admins sign in to look: drivers have nothing to do.
    expect(second.signIns).toBeLessThanOrEqual(5);
    expect(second.orders.map(({ id, status }) => [id, status])).toEqual(
      first.orders.map(({ id, status }) => [id, status]),
    );
    expect(await query<Catalog>(accessToken, CATALOG)).toEqual(before);
    expect(await offersAtMainCampus(accessToken, 'O2-CYL-E')).toEqual(offersBefore);
    expect(second.reviewed).toBe(first.reviewed);
  });

  it('gives up with a clear error, changing nothing, when reviews never hears of a delivery', async () => {
    // The order on its way taken for a delivered one: reviews answers NOT_FOUND for as long as it is asked.
    const onItsWay = first.orders.find(({ status }) => status === 'DISPATCHED')!;
    const { accessToken } = await signIn(hospitalAdmin.email, hospitalAdmin.password);
    const offers = await offersAtMainCampus(accessToken, 'O2-CYL-2L');
    const api = new DemoApi(t.routerUrl);
    const pretended = {
      ...onItsWay,
      status: 'DELIVERED',
      demo: { ...onItsWay.demo, review: { rating: 1, comment: 'Never came.' } },
    };
    await expect(
      seedReviews(api, [pretended], new Map(offers.map(({ vendor }) => [vendor.name, vendor.id])), {
        timeoutMs: 2_000,
      }),
    ).rejects.toThrow(
      `demo seed: reviews has not heard that order ${onItsWay.number} (demo order ${onItsWay.demo.key}) was delivered after 2 s`,
    );
    expect(api.changes).toBe(0);
    expect(await offersAtMainCampus(accessToken, 'O2-CYL-2L')).toEqual(offers);
  });

  // Last: it delivers the order on its way.
  it('asks again while reviews has not heard of a delivery, and reviews the order once it has', async () => {
    const onItsWay = first.orders.find(({ status }) => status === 'DISPATCHED')!;
    const { accessToken } = await signIn(hospitalAdmin.email, hospitalAdmin.password);
    const offers = await offersAtMainCampus(accessToken, 'O2-CYL-2L');
    const router = createGraphQLClient(t.routerUrl);
    const answers: string[] = [];
    const watching: GraphQLClient = async <Data>(request: Parameters<GraphQLClient>[0]) => {
      const response = await router<Data>(request);
      if (request.query.includes('submitReview('))
        answers.push(String(response.errors?.[0]?.extensions?.code ?? 'accepted'));
      return response;
    };
    const api = new DemoApi(t.routerUrl, watching);
    const review = { rating: 1, comment: 'Came a day late.' };
    const seeding = seedReviews(
      api,
      [{ ...onItsWay, status: 'DELIVERED', demo: { ...onItsWay.demo, review } }],
      new Map(offers.map(({ vendor }) => [vendor.name, vendor.id])),
    );
    seeding.catch(() => undefined); // awaited below; a failure before then fails the test anyway
    await until(() => answers.includes('NOT_FOUND'), 'reviews to refuse the order on its way');
    const driver = demoAccounts.find(({ email }) => email === 'highlands.driver@demo.flow.local')!;
    const { accessToken: driverToken } = await signIn(driver.email, driver.password);
    await query(
      driverToken,
      'mutation ($id: ID!) { confirmDelivery(orderId: $id, proof: { receivedBy: "Ward store", signature: "data:text/plain,signed" }) { id } }',
      { id: onItsWay.id },
    );
    expect(await seeding).toBe(1);
    expect(api.changes).toBe(1);
    expect(answers.at(-1)).toBe('accepted');
    expect(new Set(answers.slice(0, -1))).toEqual(new Set(['NOT_FOUND']));
    const stars = [
      ...demoOrders.filter(({ vendor, review }) => vendor === onItsWay.demo.vendor && review),
      { review },
    ].map(({ review }) => review!.rating);
    const after = await offersAtMainCampus(accessToken, 'O2-CYL-2L');
    expect(after.find(({ vendor }) => vendor.name === onItsWay.demo.vendor)!.vendorRating).toBe(
      Math.round((stars.reduce((a, b) => a + b, 0) / stars.length) * 100) / 100,
    );
  });
});
