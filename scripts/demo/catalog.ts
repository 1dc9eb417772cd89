// The supply side of the demo market and the hospitals' sites, as their admins would set them up.
// Each step adds only what is missing (a site by name, terms, a price or a stock level per
// product): what a demo user changed since stays as they left it, and a second run reads only.
import { money, type Actor, type DemoApi, DemoSeedError } from './api';
import {
  carries,
  CURRENCY,
  productTerms,
  vendorPrice,
  type DemoHospital,
  type DemoSite,
  type DemoVendor,
} from './market';

interface SiteNode {
  id: string;
  name: string;
  stock?: { product: { id: string } }[];
}

type SiteKind = 'HOSPITAL_SITE' | 'DEPOT';

/** Every site of the caller's organization of this kind (a demo organization has a handful). */
async function ownSites(actor: Actor, kind: SiteKind, withStock = false): Promise<SiteNode[]> {
  const stock = withStock ? 'stock { product { id } }' : '';
  const data = await actor.query<{ sites: { edges: { node: SiteNode }[] } }>(
    `query ($kind: SiteKind) { sites(kind: $kind, first: 100) { edges { node { id name ${stock} } } } }`,
    { kind },
  );
  return data.sites.edges.map(({ node }) => node);
}

/** Creates the site unless one of that name exists; geocoded from its address (no position given). */
async function ensureSite(actor: Actor, kind: SiteKind, site: DemoSite, existing: SiteNode[]) {
  const found = existing.find(({ name }) => name === site.name);
  if (found) return found;
  const created = await actor.mutate<{ createSite: { id: string } }>(
    'mutation ($input: CreateSiteInput!) { createSite(input: $input) { id } }',
    { input: { kind, name: site.name, address: site.address } },
  );
  return { id: created.createSite.id, name: site.name, stock: [] };
}

/** SKU -> product id of the seeded catalog; every SKU the demo market names must be in it. */
export async function catalogBySku(actor: Actor): Promise<Map<string, string>> {
  const data = await actor.query<{ products: { edges: { node: { id: string; sku: string } }[] } }>(
    '{ products(first: 100) { edges { node { id sku } } } }',
  );
  const bySku = new Map(data.products.edges.map(({ node }) => [node.sku, node.id]));
  const missing = productTerms.filter(({ sku }) => !bySku.has(sku)).map(({ sku }) => sku);
  if (missing.length) throw new DemoSeedError(`the catalog has no product ${missing.join(', ')}`);
  return bySku;
}

export async function seedHospitalSites(api: DemoApi, hospital: DemoHospital): Promise<Map<string, string>> {
  const admin = await api.as(hospital.admin);
  const existing = await ownSites(admin, 'HOSPITAL_SITE');
  const ids = new Map<string, string>();
  for (const site of hospital.sites) {
    ids.set(site.name, (await ensureSite(admin, 'HOSPITAL_SITE', site, existing)).id);
  }
  return ids;
}

/** The vendor's depot, delivery terms, prices and stock; answers its organization id. */
export async function seedVendor(
  api: DemoApi,
  vendor: DemoVendor,
  products: Map<string, string>,
): Promise<string> {
  const admin = await api.as(vendor.admin);
  const state = await admin.query<{
    deliveryTerms: { maxDistanceKm: number } | null;
    priceList: { edges: { node: { product: { id: string } } }[] };
  }>(
    'query ($vendor: ID!) { deliveryTerms(vendorId: $vendor) { maxDistanceKm } priceList(vendorId: $vendor, first: 100) { edges { node { product { id } } } } }',
    { vendor: admin.organizationId },
  );
  const depot = await ensureSite(admin, 'DEPOT', vendor.depot, await ownSites(admin, 'DEPOT', true));
  if (!state.deliveryTerms) {
    const { terms } = vendor;
    await admin.mutate(
      'mutation ($input: SetDeliveryTermsInput!) { setDeliveryTerms(input: $input) { maxDistanceKm } }',
      {
        input: {
          baseFee: money(terms.baseFee, CURRENCY),
          perKmFee: money(terms.perKmFee, CURRENCY),
          urgentSurcharge: money(terms.urgentSurcharge, CURRENCY),
          emergencySurcharge: money(terms.emergencySurcharge, CURRENCY),
          maxDistanceKm: terms.maxDistanceKm,
        },
      },
    );
  }
  const priced = new Set(state.priceList.edges.map(({ node }) => node.product.id));
  const stocked = new Set(depot.stock?.map(({ product }) => product.id));
  for (const product of productTerms.filter((p) => carries(vendor, p))) {
    const productId = products.get(product.sku)!;
    if (!priced.has(productId)) {
      const { unitPrice, tiers } = vendorPrice(vendor, product);
      await admin.mutate('mutation ($input: SetPriceInput!) { setPrice(input: $input) { id } }', {
        input: {
          productId,
          unitPrice: money(unitPrice, CURRENCY),
          tiers: tiers.map((tier) => ({ ...tier, unitPrice: money(tier.unitPrice, CURRENCY) })),
        },
      });
    }
    if (!stocked.has(productId)) {
      await admin.mutate('mutation ($input: SetStockInput!) { setStock(input: $input) { available } }', {
        input: {
          depotId: depot.id,
          productId,
          onHand: Math.round(product.stock * vendor.stockFactor),
          reorderLevel: Math.round(product.reorderLevel * vendor.stockFactor),
        },
      });
    }
  }
  return admin.organizationId;
}
