import type { DepotDistance } from '../src/services/dependencies';
import { AmountTooLargeError } from '../src/services/money';
import { selectOffers, type VendorPricing } from '../src/services/offer-selection';

const fees = {
  baseFeeMinor: 1000,
  perKmFeeMinor: 100,
  urgentSurchargeMinor: 500,
  emergencySurchargeMinor: 2000,
};
const vendor = (vendorId: string, unitPriceMinor: number, maxDistanceKm = 100): VendorPricing => ({
  vendorId,
  schedule: { unitPriceMinor, tiers: [] },
  fees,
  maxDistanceKm,
});
const depot = (
  depotId: string,
  organizationId: string,
  distanceKm: number,
  durationMinutes = 30,
): DepotDistance => ({
  depotId,
  depotName: `Depot ${depotId}`,
  organizationId,
  distanceKm,
  durationMinutes,
});
const request = { productId: 'p', quantity: 5, priority: 'ROUTINE' as const, currency: 'USD' };

describe('selectOffers', () => {
  test('ranks vendors by landed total, with every amount of the offer', () => {
    const offers = selectOffers(
      request,
      [vendor('a', 2000), vendor('b', 1500)],
      [depot('a1', 'a', 10, 20), depot('b1', 'b', 40, 50)],
      new Map([
        ['a1', 7],
        ['b1', 5],
      ]),
    );
    // a: 5 x 2000 + 1000 + 100 x 10 = 12000; b: 5 x 1500 + 1000 + 100 x 40 = 12500
    expect(offers.map((o) => [o.vendor.id, o.total.amountMinor])).toEqual([
      ['a', 12_000],
      ['b', 12_500],
    ]);
    expect(offers[1]).toEqual({
      vendor: { id: 'b' },
      depot: { id: 'b1' },
      product: { id: 'p' },
      quantity: 5,
      unitPrice: { amountMinor: 1500, currency: 'USD' },
      subtotal: { amountMinor: 7500, currency: 'USD' },
      deliveryFee: { amountMinor: 5000, currency: 'USD' },
      total: { amountMinor: 12_500, currency: 'USD' },
      availableQuantity: 5,
      distanceKm: 40,
      etaMinutes: 50,
    });
  });

  test("a depot beyond the vendor's own range or short of stock does not count", () => {
    const offers = selectOffers(
      request,
      [vendor('near', 1000, 30), vendor('short', 1000)],
      [depot('n1', 'near', 31), depot('s1', 'short', 5), depot('n2', 'near', 30)],
      new Map([
        ['n1', 100],
        ['s1', 4],
        ['n2', 5],
      ]),
    );
    expect(offers.map((o) => [o.vendor.id, o.depot.id])).toEqual([['near', 'n2']]);
  });

  test('a depot without a stock level has nothing available', () => {
    expect(selectOffers(request, [vendor('a', 1000)], [depot('a1', 'a', 1)], new Map())).toEqual([]);
  });

  test("each vendor's best depot: lowest total, then shortest ETA", () => {
    const offers = selectOffers(
      request,
      [vendor('a', 1000)],
      [depot('far', 'a', 50, 40), depot('near', 'a', 10, 90), depot('same', 'a', 10, 60)],
      new Map([
        ['far', 10],
        ['near', 10],
        ['same', 10],
      ]),
    );
    expect(offers).toHaveLength(1);
    expect(offers[0]).toMatchObject({ depot: { id: 'same' }, distanceKm: 10, etaMinutes: 60 });
  });

  test('equal totals are ranked by ETA, then distance', () => {
    const offers = selectOffers(
      request,
      [vendor('slow', 1000), vendor('fast', 1000), vendor('fastfar', 1000)],
      [depot('s', 'slow', 10, 60), depot('f', 'fast', 10, 20), depot('ff', 'fastfar', 10, 20)],
      new Map([
        ['s', 5],
        ['f', 5],
        ['ff', 5],
      ]),
    );
    expect(offers.map((o) => o.vendor.id)).toEqual(['fast', 'fastfar', 'slow']);
  });

  test('vendors that are not in the list (not approved, no terms) get no offer', () => {
    expect(selectOffers(request, [], [depot('x', 'unknown', 1)], new Map([['x', 100]]))).toEqual([]);
  });

  test('an amount too large for the API is an error, not a wrong number', () => {
    expect(() =>
      selectOffers(
        { ...request, quantity: 2 },
        [vendor('a', 2 ** 31 - 1)],
        [depot('a1', 'a', 1)],
        new Map([['a1', 2]]),
      ),
    ).toThrow(AmountTooLargeError);
  });
});
