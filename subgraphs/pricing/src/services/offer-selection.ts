// Which depot serves each vendor's offer and in what order offers are shown: pure, so that every
// rule (range, stock, best depot, ranking) is tested without a database or a network.
import type { DepotDistance } from './dependencies';
import { quote, type DeliveryFees, type Money, type PriceSchedule, type Priority } from './money';
import type { EntityReference } from './views';

/** One vendor's price for the product and its delivery terms. */
export interface VendorPricing {
  vendorId: string;
  schedule: PriceSchedule;
  fees: DeliveryFees;
  maxDistanceKm: number;
}

export interface OfferView {
  /** With its name once the service adds it (pricing provides Organization.name on offers). */
  vendor: EntityReference & { name?: string };
  /** With its name once the service adds it (pricing provides Site.name on offers). */
  depot: EntityReference & { name?: string };
  product: EntityReference;
  quantity: number;
  unitPrice: Money;
  subtotal: Money;
  deliveryFee: Money;
  total: Money;
  availableQuantity: number;
  distanceKm: number;
  etaMinutes: number;
}

export interface OfferRequest {
  productId: string;
  quantity: number;
  priority: Priority;
  currency: string;
}

/** Lower total first, then sooner, then nearer; the id last so that equal offers keep a stable order. */
function compareOffers(a: OfferView, b: OfferView, tieBreak: (o: OfferView) => string): number {
  return (
    a.total.amountMinor - b.total.amountMinor ||
    a.etaMinutes - b.etaMinutes ||
    a.distanceKm - b.distanceKm ||
    tieBreak(a).localeCompare(tieBreak(b))
  );
}

/**
 * One offer per vendor: among its depots within ITS delivery range that have at least `quantity`
 * available, the one with the lowest total (then the shortest ETA). Offers ranked by total, then
 * ETA, then distance. Vendors missing from `vendors` (not approved, no terms) get no offer.
 * Throws AmountTooLargeError when an amount would not fit the API.
 */
export function selectOffers(
  request: OfferRequest,
  vendors: readonly VendorPricing[],
  depots: readonly DepotDistance[],
  availableByDepot: ReadonlyMap<string, number>,
): OfferView[] {
  const pricingOf = new Map(vendors.map((v) => [v.vendorId, v]));
  const best = new Map<string, OfferView>();
  for (const depot of depots) {
    const vendor = pricingOf.get(depot.organizationId);
    if (!vendor || depot.distanceKm > vendor.maxDistanceKm) continue;
    const available = availableByDepot.get(depot.depotId) ?? 0;
    if (available < request.quantity) continue;
    const amounts = quote(vendor.schedule, vendor.fees, request.quantity, depot.distanceKm, request.priority);
    const money = (amountMinor: number): Money => ({ amountMinor, currency: request.currency });
    const offer: OfferView = {
      vendor: { id: vendor.vendorId },
      depot: { id: depot.depotId },
      product: { id: request.productId },
      quantity: request.quantity,
      unitPrice: money(amounts.unitPriceMinor),
      subtotal: money(amounts.subtotalMinor),
      deliveryFee: money(amounts.deliveryFeeMinor),
      total: money(amounts.totalMinor),
      availableQuantity: available,
      distanceKm: depot.distanceKm,
      etaMinutes: depot.durationMinutes,
    };
    const current = best.get(vendor.vendorId);
    if (!current || compareOffers(offer, current, (o) => o.depot.id) < 0) best.set(vendor.vendorId, offer);
  }
  return [...best.values()].sort((a, b) => compareOffers(a, b, (o) => o.vendor.id));
}
