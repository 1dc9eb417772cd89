import {
  startSubgraphTestEnvironment,
  stopAll,
  type GraphQLClient,
  type SubgraphTestEnvironment,
} from '@flow/testing';
import { parseInventoryConfig, startInventoryApp } from '@flow/inventory';
import { parseLocationsConfig, startLocationsApp } from '@flow/locations';
import {
  createTestEnvironment as startUsers,
  LOGIN,
  REGISTER,
  registration,
  type AuthPayload,
  type UsersTestEnvironment,
} from '@flow/users/testing';
import { parsePricingConfig, startPricingApp } from '../src';
import { COMPARE_OFFERS, setDeliveryTerms, setPrice, USD, type OfferResult } from './support/queries';

// The same flow as offers.test.ts, but against the REAL users, locations and inventory apps,
// each on its own port and Postgres schema: pricing's documents must match their schemas and
// behaviour (depot ownership, visibility of sites, road distances, stock).

let users: UsersTestEnvironment;
/** Every environment started, stopped last first. */
const started: SubgraphTestEnvironment<unknown, { url: string; stop: () => Promise<void> }>[] = [];
const gql: Record<'locations' | 'inventory' | 'pricing', GraphQLClient> = {} as never;

async function call<Data>(
  client: GraphQLClient,
  token: string,
  query: string,
  variables: Record<string, unknown>,
) {
  const result = await client<Data>({ query, variables, token });
  if (result.errors || !result.data) throw new Error(JSON.stringify(result.errors));
  return result.data;
}

beforeAll(async () => {
  users = await startUsers();
  const trustUsers = {
    USERS_URL: users.app.url,
    USERS_JWKS_URL: `${new URL(users.app.url).origin}/.well-known/jwks.json`,
    ROUTER_SIGNING_SECRET: users.env.ROUTER_SIGNING_SECRET,
  };
  const locations = await startSubgraphTestEnvironment({
    name: 'locations',
    start: startLocationsApp,
    parseConfig: parseLocationsConfig,
    env: trustUsers,
  });
  started.push(locations);
  const inventory = await startSubgraphTestEnvironment({
    name: 'inventory',
    start: startInventoryApp,
    parseConfig: parseInventoryConfig,
    env: { ...trustUsers, LOCATIONS_URL: locations.app.url },
  });
  started.push(inventory);
  const pricing = await startSubgraphTestEnvironment({
    name: 'pricing',
    start: startPricingApp,
    parseConfig: parsePricingConfig,
    env: { ...trustUsers, LOCATIONS_URL: locations.app.url, INVENTORY_URL: inventory.app.url },
  });
  started.push(pricing);
  gql.locations = locations.gql;
  gql.inventory = inventory.gql;
  gql.pricing = pricing.gql;
});
afterAll(() => stopAll([...started.reverse().map((t) => t.stop), () => users?.stop()]));

async function register(kind: 'HOSPITAL' | 'VENDOR', approve: boolean) {
  const result = await users.gql<{ registerOrganization: AuthPayload }>({
    query: REGISTER,
    variables: { input: registration(kind) },
  });
  const { accessToken: token, user } = result.data!.registerOrganization;
  if (approve) {
    const admin = await users.gql<{ login: AuthPayload }>({
      query: LOGIN,
      variables: { email: users.admin.email, password: users.admin.password },
    });
    await call(
      users.gql,
      admin.data!.login.accessToken,
      'mutation ($id: ID!) { approveOrganization(id: $id) { id } }',
      {
        id: user.organization.id,
      },
    );
  }
  return { id: user.organization.id, token };
}

async function createSite(
  token: string,
  kind: 'HOSPITAL_SITE' | 'DEPOT',
  position: { lat: number; lng: number },
) {
  const data = await call<{ createSite: { id: string } }>(
    gql.locations,
    token,
    'mutation ($input: CreateSiteInput!) { createSite(input: $input) { id } }',
    {
      input: {
        name: `${kind} ${position.lat}`,
        kind,
        address: { line1: '1 Road', city: 'Nairobi', country: 'KE' },
        position,
      },
    },
  );
  return data.createSite.id;
}

test('compareOffers over the real users, locations and inventory subgraphs', async () => {
  const hospital = await register('HOSPITAL', false); // hospitals start ACTIVE
  const siteId = await createSite(hospital.token, 'HOSPITAL_SITE', { lat: -1.2921, lng: 36.8219 }); // Nairobi
  const products = await call<{ products: { edges: { node: { id: string } }[] } }>(
    gql.inventory,
    hospital.token,
    '{ products(first: 1) { edges { node { id } } } }',
    {},
  );
  const productId = products.products.edges[0]!.node.id;

  const terms = { baseFee: USD(1500), perKmFee: USD(120), emergencySurcharge: USD(5000), maxDistanceKm: 150 };
  const vendorSetup = [
    { name: 'near', approve: true, position: { lat: -1.3087, lng: 36.8516 }, price: 4800, stock: 40 },
    { name: 'thika', approve: true, position: { lat: -1.0333, lng: 37.0693 }, price: 4000, stock: 40 },
    { name: 'pending', approve: false, position: { lat: -1.3, lng: 36.83 }, price: 300, stock: 40 },
    { name: 'mombasa', approve: true, position: { lat: -4.0435, lng: 39.6682 }, price: 300, stock: 40 },
    { name: 'short', approve: true, position: { lat: -1.29, lng: 36.82 }, price: 300, stock: 3 },
  ];
  const vendors: Record<string, { id: string; depotId: string }> = {};
  for (const v of vendorSetup) {
    const vendor = await register('VENDOR', v.approve);
    const depotId = await createSite(vendor.token, 'DEPOT', v.position);
    await call(
      gql.inventory,
      vendor.token,
      'mutation ($input: SetStockInput!) { setStock(input: $input) { available } }',
      {
        input: { depotId, productId, onHand: v.stock },
      },
    );
    await setDeliveryTerms(gql.pricing, vendor.token, terms);
    await setPrice(gql.pricing, vendor.token, {
      productId,
      unitPrice: USD(v.price),
      tiers: [{ minQuantity: 5, unitPrice: USD(v.price - 200) }],
    });
    vendors[v.name] = { id: vendor.id, depotId };
  }

  const result = await gql.pricing<{ compareOffers: OfferResult[] }>({
    query: COMPARE_OFFERS,
    variables: { productId, quantity: 5, siteId, priority: 'EMERGENCY' },
    token: hospital.token,
  });
  expect(result.errors).toBeUndefined();
  const offers = result.data!.compareOffers;
  expect(offers.map((o) => o.depot.id).sort()).toEqual(
    [vendors.near!.depotId, vendors.thika!.depotId].sort(),
  );

  for (const offer of offers) {
    // The distance is the one locations gives for the route; the money follows from it.
    const route = await call<{ route: { distanceKm: number; durationMinutes: number } }>(
      gql.locations,
      hospital.token,
      'query ($from: ID!, $to: ID!) { route(fromSiteId: $from, toSiteId: $to) { distanceKm durationMinutes } }',
      { from: offer.depot.id, to: siteId },
    );
    expect(offer.distanceKm).toBeCloseTo(route.route.distanceKm, 6);
    expect(offer.etaMinutes).toBe(route.route.durationMinutes);
    const price = vendorSetup.find((v) => vendors[v.name]!.depotId === offer.depot.id)!.price - 200;
    const metres = Math.round(offer.distanceKm * 1000);
    const deliveryFee = 1500 + Math.floor((120 * metres * 2 + 1000) / 2000) + 5000;
    expect(offer).toMatchObject({
      unitPrice: USD(price),
      subtotal: USD(price * 5),
      deliveryFee: USD(deliveryFee),
      total: USD(price * 5 + deliveryFee),
      availableQuantity: 40,
    });
  }
  expect(offers[0]!.total.amountMinor).toBeLessThanOrEqual(offers[1]!.total.amountMinor);
});
