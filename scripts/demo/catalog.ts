// The supply side of the demo market and the hospitals' sites, as their admins would set them up.
// Each step adds only what is missing (a site by name, terms, a price or a stock level per
// product): what a demo user changed since stays as they left it, and a second run reads only.
import { eachAtMost, money, type Actor, type DemoApi, DemoSeedError } from './api';
import {
  carries,
  CURRENCY,
  productTerms,
  vendorPrice,
  type DemoHospital,
  type DemoSite,
  type DemoVendor,
} from './market';

/** Per vendor: three vendors at once make a dozen requests in flight. */
const PARALLEL_REQUESTS = 4;

interface SiteNode {
  id: string;
  name: string;
}

type SiteKind = 'HOSPITAL_SITE' | 'DEPOT';

/** The sites of the caller's organization of this kind (a demo organization has a handful). */
async function ownSites(actor: Actor, kind: SiteKind): Promise<SiteNode[]> {
  const data = await actor.query<{ sites: { edges: { node: SiteNode }[] } }>(
    'query ($kind: SiteKind) { sites(kind: $kind, first: 50) { edges { node { id name } } } }',
    { kind },
  );
  return data.sites.edges.map(({ node }) => node);
}

/**
 * The site of that name, created unless it exists (geocoded from its address: no position is
 * given); `created` says whether it is new.
 */
async function ensureSite(actor: Actor, kind: SiteKind, site: DemoSite, existing?: SiteNode[]) {
  const found = (existing ?? (await ownSites(actor, kind))).find(({ name }) => name === site.name);
  if (found) return { id: found.id, created: false };
  const created = await actor.mutate<{ createSite: { id: string } }>(
    'mutation ($input: CreateSiteInput!) { createSite(input: $input) { id } }',
    { input: { kind, name: site.name, address: site.address } },
  );
  return { id: created.createSite.id, created: true };
}

/** The products the depot has a stock level for. */
async function stockedAt(actor: Actor, depotId: string): Promise<Set<string>> {
  const data = await actor.query<{ site: { stock: { product: { id: string } }[] } | null }>(
    'query ($id: ID!) { site(id: $id) { stock { product { id } } } }',
    { id: depotId },
  );
  return new Set(data.site?.stock.map(({ product }) => product.id));
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
  const ids = new Map<string, string>();
  for (const site of hospital.sites) ids.set(site.name, (await ensureSite(admin, 'HOSPITAL_SITE', site)).id);
  return ids;
}

/** The vendor's depot, delivery terms, prices and stock; answers its organization id. */
export async function seedVendor(
  api: DemoApi,
  vendor: DemoVendor,
  catalog: Promise<Map<string, string>>,
): Promise<string> {
  const admin = await api.as(vendor.admin);
  const state = await admin.query<{
    sites: { edges: { node: SiteNode }[] };
    deliveryTerms: { maxDistanceKm: number } | null;
    priceList: { edges: { node: { product: { id: string } } }[] };
  }>(
    'query ($vendor: ID!) { sites(kind: DEPOT, first: 50) { edges { node { id name } } } deliveryTerms(vendorId: $vendor) { maxDistanceKm } priceList(vendorId: $vendor, first: 100) { edges { node { product { id } } } } }',
    { vendor: admin.organizationId },
  );
  const depots = state.sites.edges.map(({ node }) => node);
  const depot = await ensureSite(admin, 'DEPOT', vendor.depot, depots);
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
  const products = await catalog;
  const priced = new Set(state.priceList.edges.map(({ node }) => node.product.id));
  const stocked = depot.created ? new Set<string>() : await stockedAt(admin, depot.id);
  await eachAtMost(
    PARALLEL_REQUESTS,
    productTerms.filter((p) => carries(vendor, p)),
    async (product) => {
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
    },
  );
  return admin.organizationId;
}
