// The parties of an order, set up through the router as people would: a vendor with a depot,
// stock, prices, delivery terms and a driver; a hospital with a site.
import type { GraphQLClient } from '@flow/testing';
import { approve, login, ok, registerOrganization, type Actor } from './actors';

export const USD = (amountMinor: number) => ({ amountMinor, currency: 'USD' });

export const HOSPITAL_POSITION = { lat: -1.2921, lng: 36.8219 };
export const DEPOT_POSITION = { lat: -1.2, lng: 36.9 };

export interface Vendor {
  admin: Actor;
  driver: Actor;
  depotId: string;
}

export interface Hospital {
  admin: Actor;
  siteId: string;
}

export async function createSite(gql: GraphQLClient, actor: Actor, input: Record<string, unknown>) {
  const data = await ok<{ createSite: { id: string } }>(
    gql,
    actor.token,
    'mutation ($input: CreateSiteInput!) { createSite(input: $input) { id } }',
    { input },
  );
  return data.createSite.id;
}

/** The first `count` products of a category in the seeded catalog. */
export async function productIds(gql: GraphQLClient, token: string, count: number, category = 'CYLINDER') {
  const data = await ok<{ products: { edges: { node: { id: string } }[] } }>(
    gql,
    token,
    'query ($category: ProductCategory, $first: Int) { products(filter: { category: $category }, first: $first) { edges { node { id } } } }',
    { category, first: count },
  );
  return data.products.edges.map((e) => e.node.id);
}

export async function setUpHospital(gql: GraphQLClient): Promise<Hospital> {
  const admin = await registerOrganization(gql, 'HOSPITAL');
  const siteId = await createSite(gql, admin, {
    name: 'Main campus',
    kind: 'HOSPITAL_SITE',
    address: { line1: 'Hospital Road 1', city: 'Nairobi', country: 'KE' },
    position: HOSPITAL_POSITION,
  });
  return { admin, siteId };
}

export async function setStock(gql: GraphQLClient, vendor: Vendor, productId: string, onHand: number) {
  await ok(
    gql,
    vendor.admin.token,
    'mutation ($input: SetStockInput!) { setStock(input: $input) { available } }',
    {
      input: { depotId: vendor.depotId, productId, onHand, reorderLevel: 0 },
    },
  );
}

/** An approved vendor with a depot near the hospital, `onHand` of each product at `unitPrice`, and a driver. */
export async function setUpVendor(
  gql: GraphQLClient,
  adminToken: string,
  options: { productIds: string[]; onHand: number; unitPrice: number },
): Promise<Vendor> {
  const admin = await registerOrganization(gql, 'VENDOR');
  await approve(gql, adminToken, admin.organizationId);
  const depotId = await createSite(gql, admin, {
    name: 'Depot',
    kind: 'DEPOT',
    address: { line1: 'Depot road 1', city: 'Nairobi', country: 'KE' },
    position: DEPOT_POSITION,
  });
  const driverEmail = `driver.${admin.organizationId}@example.org`;
  const invited = await ok<{ inviteUser: { id: string } }>(
    gql,
    admin.token,
    'mutation ($input: InviteUserInput!) { inviteUser(input: $input) { id } }',
    { input: { email: driverEmail, name: 'Dee Driver', role: 'DRIVER', password: 'a-driver-password-1' } },
  );
  const driver: Actor = {
    token: await login(gql, driverEmail, 'a-driver-password-1'),
    userId: invited.inviteUser.id,
    organizationId: admin.organizationId,
    email: driverEmail,
  };
  const vendor = { admin, driver, depotId };
  for (const productId of options.productIds) {
    await setStock(gql, vendor, productId, options.onHand);
    await ok(gql, admin.token, 'mutation ($input: SetPriceInput!) { setPrice(input: $input) { id } }', {
      input: { productId, unitPrice: USD(options.unitPrice), tiers: [] },
    });
  }
  await ok(
    gql,
    admin.token,
    'mutation ($input: SetDeliveryTermsInput!) { setDeliveryTerms(input: $input) { maxDistanceKm } }',
    { input: { baseFee: USD(1000), perKmFee: USD(100), emergencySurcharge: USD(2500), maxDistanceKm: 100 } },
  );
  return vendor;
}

export const PLACE_ORDER = `mutation ($input: PlaceOrderInput!, $key: String!) {
  placeOrder(input: $input, idempotencyKey: $key) {
    id number status priority total { amountMinor currency } subtotal { amountMinor } deliveryFee { amountMinor }
    vendor { id } depot { id } items { product { id } quantity unitPrice { amountMinor } lineTotal { amountMinor } }
    payment { id status method amount { amountMinor } }
  }
}`;

export interface PlacedOrder {
  id: string;
  number: string;
  status: string;
  total: { amountMinor: number; currency: string };
  subtotal: { amountMinor: number };
  deliveryFee: { amountMinor: number };
  vendor: { id: string };
  depot: { id: string };
  items: {
    product: { id: string };
    quantity: number;
    unitPrice: { amountMinor: number };
    lineTotal: { amountMinor: number };
  }[];
  payment: { id: string; status: string; method: string; amount: { amountMinor: number } } | null;
}

export function orderInput(
  hospital: Hospital,
  items: { productId: string; quantity: number }[],
  extra: Record<string, unknown> = {},
) {
  return {
    siteId: hospital.siteId,
    items,
    priority: 'URGENT',
    payment: { method: 'CARD', cardToken: 'tok_visa' },
    ...extra,
  };
}

export async function stockOf(gql: GraphQLClient, vendor: Vendor, productId: string) {
  const data = await ok<{ stockLevels: { onHand: number; reserved: number; available: number }[] }>(
    gql,
    vendor.admin.token,
    'query ($p: ID!, $d: ID!) { stockLevels(productId: $p, depotIds: [$d]) { onHand reserved available } }',
    { p: productId, d: vendor.depotId },
  );
  const [level] = data.stockLevels;
  if (!level) throw new Error(`no stock of ${productId} at the depot`);
  return level;
}
