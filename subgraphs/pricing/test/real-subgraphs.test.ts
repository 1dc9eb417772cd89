import { createLogger } from '@flow/core';
import { dropSchema, subgraphDatabase } from '@flow/subgraph-kit';
import {
  createGraphQLClient,
  databaseUrlForSchema,
  uniqueSchemaName,
  type GraphQLClient,
} from '@flow/testing';
import { parseInventoryConfig, startInventoryApp, type InventoryApp } from '@flow/inventory';
import { parseLocationsConfig, startLocationsApp, type LocationsApp } from '@flow/locations';
import {
  createTestEnvironment as startUsers,
  LOGIN,
  REGISTER,
  registration,
  type AuthPayload,
  type UsersTestEnvironment,
} from '@flow/users/testing';
import { startPricingApp, type PricingApp } from '../src/app';
import { parsePricingConfig } from '../src/env';
import { COMPARE_OFFERS, setDeliveryTerms, setPrice, USD, type OfferResult } from './support/queries';

// The same flow as offers.test.ts, but against the REAL users, locations and inventory apps,
// each on its own port and Postgres schema: pricing's documents must match their schemas and
// behaviour (depot ownership, visibility of sites, road distances, stock).

let users: UsersTestEnvironment;
let locations: LocationsApp;
let inventory: InventoryApp;
let pricing: PricingApp;
const schemas: { subgraph: string; url: string }[] = [];
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

function databaseFor(subgraph: string) {
  const url = databaseUrlForSchema(uniqueSchemaName(`pricing_real_${subgraph}`));
  schemas.push({ subgraph, url });
  return url;
}

beforeAll(async () => {
  users = await startUsers();
  const common = {
    FLOW_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    USERS_URL: users.app.url,
    JWKS_COOLDOWN_SECONDS: '0',
  };
  locations = await startLocationsApp(
    parseLocationsConfig({ ...common, DATABASE_URL: databaseFor('locations') }),
    createLogger('locations', 'silent'),
  );
  inventory = await startInventoryApp(
    parseInventoryConfig({ ...common, DATABASE_URL: databaseFor('inventory'), LOCATIONS_URL: locations.url }),
    createLogger('inventory', 'silent'),
  );
  pricing = await startPricingApp(
    parsePricingConfig({
      ...common,
      DATABASE_URL: databaseFor('pricing'),
      LOCATIONS_URL: locations.url,
      INVENTORY_URL: inventory.url,
    }),
    createLogger('pricing', 'silent'),
  );
  gql.locations = createGraphQLClient(locations.url);
  gql.inventory = createGraphQLClient(inventory.url);
  gql.pricing = createGraphQLClient(pricing.url);
});
afterAll(async () => {
  await pricing?.stop();
  await inventory?.stop();
  await locations?.stop();
  await users?.stop();
  for (const { subgraph, url } of schemas) {
    const database = subgraphDatabase(subgraph, { databaseUrl: url });
    await dropSchema(database.connectionString, database.schema);
  }
});

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
