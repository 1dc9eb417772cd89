import { errors } from '@flow/core';
import type { Offer } from './dependencies';
import type { PlacementRequest } from './placement-input';

/** The depot an order ships from and what it costs, fixed at placement. */
export interface Quote {
  vendorId: string;
  depotId: string;
  currency: string;
  lines: { productId: string; quantity: number; unitPriceMinor: number; lineTotalMinor: number }[];
  subtotalMinor: number;
  deliveryFeeMinor: number;
  totalMinor: number;
  distanceKm: number;
  etaMinutes: number;
}

/**
 * The cheapest landed total among depots that offer every line of the order (one delivery fee
 * per order: the fee depends on the vendor's terms, the distance and the priority, not the
 * product). `offersPerLine[i]` are pricing's offers for `request.items[i]`. Ties go to the
 * nearer depot, then the lower depot id, so the choice is stable.
 */
export function chooseQuote(request: PlacementRequest, offersPerLine: Offer[][]): Quote {
  const matches = (offer: Offer) =>
    (!request.vendorId || offer.vendorId === request.vendorId) &&
    (!request.depotId || offer.depotId === request.depotId);
  const byDepot = new Map<string, Offer[]>();
  offersPerLine.forEach((offers, line) => {
    for (const offer of offers.filter(matches)) {
      const list = byDepot.get(offer.depotId) ?? [];
      if (list.length === line) byDepot.set(offer.depotId, [...list, offer]);
    }
  });
  const quotes = [...byDepot.values()]
    .filter((offers) => offers.length === request.items.length)
    .map(toQuote)
    .sort(
      (a, b) =>
        a.totalMinor - b.totalMinor ||
        a.distanceKm - b.distanceKm ||
        (a.depotId < b.depotId ? -1 : a.depotId > b.depotId ? 1 : 0),
    );
  const best = quotes[0];
  if (!best) throw noOffer(request);
  return best;
}

function toQuote(offers: Offer[]): Quote {
  const first = offers[0]!;
  const lines = offers.map((o) => ({
    productId: o.productId,
    quantity: o.quantity,
    unitPriceMinor: o.unitPriceMinor,
    lineTotalMinor: o.unitPriceMinor * o.quantity,
  }));
  const subtotalMinor = lines.reduce((sum, l) => sum + l.lineTotalMinor, 0);
  return {
    vendorId: first.vendorId,
    depotId: first.depotId,
    currency: first.currency,
    lines,
    subtotalMinor,
    deliveryFeeMinor: first.deliveryFeeMinor,
    totalMinor: subtotalMinor + first.deliveryFeeMinor,
    distanceKm: first.distanceKm,
    etaMinutes: first.etaMinutes,
  };
}

/**
 * pricing only offers depots with enough available stock, within the vendor's range, of approved
 * vendors; so "no offer" is, for the caller, that the order cannot be filled as asked.
 */
function noOffer(request: PlacementRequest) {
  const from = request.depotId
    ? 'that depot'
    : request.vendorId
      ? 'that vendor'
      : 'any approved vendor in range';
  return errors.outOfStock(
    `No offer from ${from} can fill the whole order: stock is short, or the site is out of delivery range.`,
    { vendorId: request.vendorId, depotId: request.depotId },
  );
}
