import { errors, MAX_PAGE_SIZE, requireOneOf, requireUuid, type Logger } from '@flow/core';
import { throwIfAborted } from '@flow/subgraph-kit';
import type { PricingPrisma } from '../db';
import type { ServiceContext } from './context';
import { assertCan } from './policy';
import type { DepotDistance, OrganizationSummary, PricingDependencies } from './dependencies';
import { AmountTooLargeError, type Priority, type TierPrice } from './money';
import { selectOffers, type OfferView, type VendorPricing } from './offer-selection';

export type { OfferView } from './offer-selection';

export interface CompareOffersArgs {
  productId: string;
  quantity: number;
  siteId: string;
  priority?: string | null;
}

const PRIORITIES: readonly Priority[] = ['ROUTINE', 'URGENT', 'EMERGENCY'];

/**
 * How many depots locations is asked for: the most it answers (the platform's page size cap).
 * Depots come closest first, only of the priced vendors and only within their largest range, so
 * this is reached only when that many depots compete for one site; a warning says so.
 */
export const MAX_DEPOTS = MAX_PAGE_SIZE;

interface VendorPricingRow {
  vendorId: string;
  unitPriceMinor: number;
  priceCurrency: string;
  tiers: TierPrice[];
  termsCurrency: string;
  baseFeeMinor: number;
  perKmFeeMinor: number;
  urgentSurchargeMinor: number;
  emergencySurchargeMinor: number;
  maxDistanceKm: number;
}

export class OfferService {
  constructor(
    private readonly prisma: PricingPrisma,
    private readonly dependencies: PricingDependencies,
    private readonly platformCurrency: string,
    private readonly logger: Logger,
  ) {}

  /**
   * Every approved vendor with enough available stock at a depot within its range of the site,
   * cheapest landed total first. One SQL statement here and one call to each of users, locations
   * and inventory, whatever the number of vendors and depots. A dependency that cannot answer
   * makes the whole comparison SERVICE_UNAVAILABLE: a partial list would look like a complete one.
   */
  async compareOffers(ctx: ServiceContext, args: CompareOffersArgs): Promise<OfferView[]> {
    assertCan.compareOffers(ctx);
    const productId = requireUuid(args.productId, 'productId');
    const siteId = requireUuid(args.siteId, 'siteId');
    const quantity = args.quantity;
    if (!Number.isSafeInteger(quantity) || quantity < 1)
      throw errors.badUserInput('quantity', 'quantity must be a whole number of at least 1.');
    const priority = requireOneOf(args.priority ?? 'ROUTINE', PRIORITIES, 'priority');

    const priced = await this.vendorPricing(productId);
    if (priced.length === 0) return [];
    // Between steps: a caller who gave up (deadline or disconnect) gets no further calls made for it.
    throwIfAborted(ctx.signal);
    const vendorIds = priced.map((v) => v.vendorId);

    // Independent of each other, so asked at once; only ACTIVE vendors' depots are used below.
    const [organizations, depots] = await Promise.all([
      this.dependencies.organizations(ctx, vendorIds),
      this.dependencies.nearestDepots(ctx, {
        siteId,
        organizationIds: vendorIds,
        maxDistanceKm: Math.max(...priced.map((v) => v.maxDistanceKm)),
        first: MAX_DEPOTS,
      }),
    ]);
    if (depots.length >= MAX_DEPOTS)
      ctx.logger.warn(
        { productId, siteId, depots: depots.length },
        'nearestDepots hit its limit: farther depots not compared',
      );
    const approved = priced.filter((v) => {
      const organization = organizations.get(v.vendorId);
      return organization?.kind === 'VENDOR' && organization.status === 'ACTIVE';
    });
    const rangeOf = new Map(approved.map((v) => [v.vendorId, v.maxDistanceKm]));
    // Within the vendor's OWN range (locations was asked with the largest of all).
    const reachable = depots.filter((d) => d.distanceKm <= (rangeOf.get(d.organizationId) ?? -1));
    if (reachable.length === 0) return [];

    throwIfAborted(ctx.signal);
    const stock = await this.dependencies.stock(ctx, productId, [
      ...new Set(reachable.map((d) => d.depotId)),
    ]);
    if (!stock.product?.active) return [];

    try {
      const offers = selectOffers(
        { productId, quantity, priority, currency: this.platformCurrency },
        approved,
        reachable,
        stock.availableByDepot,
      );
      return withNames(offers, organizations, reachable);
    } catch (error) {
      if (error instanceof AmountTooLargeError)
        throw errors.badUserInput(
          'quantity',
          `quantity is too large: ${error.what} would exceed the largest amount.`,
        );
      throw error;
    }
  }

  /** Every vendor's price of the product joined with its delivery terms: one statement. */
  private async vendorPricing(productId: string): Promise<VendorPricing[]> {
    const rows = await this.prisma.$queryRaw<VendorPricingRow[]>`
      SELECT e.vendor_organization_id::text AS "vendorId",
             e.unit_price_minor AS "unitPriceMinor",
             e.currency AS "priceCurrency",
             COALESCE(
               (SELECT json_agg(json_build_object('minQuantity', t.min_quantity, 'unitPriceMinor', t.unit_price_minor))
                FROM price_tiers t WHERE t.entry_id = e.id),
               '[]'::json) AS tiers,
             d.currency AS "termsCurrency",
             d.base_fee_minor AS "baseFeeMinor",
             d.per_km_fee_minor AS "perKmFeeMinor",
             d.urgent_surcharge_minor AS "urgentSurchargeMinor",
             d.emergency_surcharge_minor AS "emergencySurchargeMinor",
             d.max_distance_km AS "maxDistanceKm"
      FROM price_list_entries e
      JOIN delivery_terms d ON d.vendor_organization_id = e.vendor_organization_id
      WHERE e.product_id = ${productId}::uuid`;
    return rows.flatMap((row) => {
      // Amounts in another currency (PLATFORM_CURRENCY changed since they were set) cannot be
      // compared with the rest: left out until the vendor sets them again.
      if (row.priceCurrency !== this.platformCurrency || row.termsCurrency !== this.platformCurrency) {
        this.logger.warn(
          { vendorId: row.vendorId, productId },
          'price or terms not in the platform currency',
        );
        return [];
      }
      return [
        {
          vendorId: row.vendorId,
          schedule: { unitPriceMinor: row.unitPriceMinor, tiers: row.tiers },
          fees: {
            baseFeeMinor: row.baseFeeMinor,
            perKmFeeMinor: row.perKmFeeMinor,
            urgentSurchargeMinor: row.urgentSurchargeMinor,
            emergencySurchargeMinor: row.emergencySurchargeMinor,
          },
          maxDistanceKm: row.maxDistanceKm,
        },
      ];
    });
  }
}

/**
 * The vendor's and the depot's names, as users and locations gave them to this comparison: the
 * schema says pricing provides them (`@provides(fields: "name")` on Offer.vendor and Offer.depot),
 * so the router does not ask users and locations a second time for what they have just answered.
 */
function withNames(
  offers: OfferView[],
  organizations: ReadonlyMap<string, OrganizationSummary>,
  depots: readonly DepotDistance[],
): OfferView[] {
  const depotNames = new Map(depots.map((d) => [d.depotId, d.depotName]));
  return offers.map((offer) => ({
    ...offer,
    vendor: { id: offer.vendor.id, name: organizations.get(offer.vendor.id)!.name },
    depot: { id: offer.depot.id, name: depotNames.get(offer.depot.id)! },
  }));
}
