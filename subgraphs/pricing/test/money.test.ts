import {
  AmountTooLargeError,
  deliveryFeeMinor,
  distanceFeeMinor,
  divideRoundHalfUp,
  MAX_AMOUNT_MINOR,
  quote,
  surchargeMinor,
  unitPriceFor,
  type DeliveryFees,
  type PriceSchedule,
} from '../src/services/money';

const schedule: PriceSchedule = {
  unitPriceMinor: 4500,
  tiers: [
    { minQuantity: 10, unitPriceMinor: 4100 },
    { minQuantity: 50, unitPriceMinor: 3800 },
  ],
};

const fees: DeliveryFees = {
  baseFeeMinor: 1500,
  perKmFeeMinor: 120,
  urgentSurchargeMinor: 2000,
  emergencySurchargeMinor: 5000,
};

describe('unitPriceFor: the largest tier whose minQuantity <= quantity, else the base price', () => {
  test.each([
    [1, 4500],
    [9, 4500],
    [10, 4100], // a tier applies from its minQuantity on
    [11, 4100],
    [49, 4100],
    [50, 3800],
    [10_000, 3800],
  ])('quantity %i costs %i each', (quantity, expected) => {
    expect(unitPriceFor(schedule, quantity)).toBe(expected);
  });

  test('without tiers the base price always applies', () => {
    expect(unitPriceFor({ unitPriceMinor: 999, tiers: [] }, 1_000_000)).toBe(999);
  });

  test('the order tiers are stored in does not matter', () => {
    const reversed = { ...schedule, tiers: [...schedule.tiers].reverse() };
    expect(unitPriceFor(reversed, 60)).toBe(3800);
    expect(unitPriceFor(reversed, 20)).toBe(4100);
  });

  test('a tier may be dearer than the base price: the rule is by quantity, not by cheapness', () => {
    expect(unitPriceFor({ unitPriceMinor: 100, tiers: [{ minQuantity: 5, unitPriceMinor: 150 }] }, 5)).toBe(
      150,
    );
  });
});

describe('divideRoundHalfUp', () => {
  test.each([
    [0n, 1000n, 0n],
    [499n, 1000n, 0n],
    [500n, 1000n, 1n], // exactly half goes up
    [501n, 1000n, 1n],
    [1499n, 1000n, 1n],
    [1500n, 1000n, 2n],
    [2500n, 1000n, 3n], // half up, not half to even
    [7n, 2n, 4n],
  ])('%p / %p = %p', (numerator, denominator, expected) => {
    expect(divideRoundHalfUp(numerator, denominator)).toBe(expected);
  });

  test('refuses negative numerators and non-positive denominators', () => {
    expect(() => divideRoundHalfUp(-1n, 2n)).toThrow(RangeError);
    expect(() => divideRoundHalfUp(1n, 0n)).toThrow(RangeError);
  });
});

describe('distanceFeeMinor: perKmFee x distance, rounded half up to the minor unit', () => {
  test.each([
    [120, 0, 0],
    [120, 10, 1200],
    [120, 12.5, 1500],
    [150, 12.35, 1853], // 1852.5 exactly: up (12.35 is 12.3499999... as a float)
    [150, 12.34, 1851], // 1851.0
    [1, 0.5, 1], // 0.5: up
    [1, 0.499, 0], // 0.499: down
    [3, 2.5, 8], // 7.5: up
    [5, 0.1, 1], // 0.5: up (0.1 is not exact in binary)
    [33, 1.015, 33], // 33.495: down
  ])('%i per km over %d km costs %i', (perKm, distanceKm, expected) => {
    expect(distanceFeeMinor(perKm, distanceKm)).toBe(expected);
  });

  test('the distance counts to the metre', () => {
    expect(distanceFeeMinor(1000, 1.0004)).toBe(1000);
    expect(distanceFeeMinor(1000, 1.0006)).toBe(1001);
  });

  test('refuses negative or non-finite distances', () => {
    expect(() => distanceFeeMinor(1, -1)).toThrow(RangeError);
    expect(() => distanceFeeMinor(1, Number.NaN)).toThrow(RangeError);
    expect(() => distanceFeeMinor(1, Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('deliveryFeeMinor: base + distance fee + the priority surcharge', () => {
  test('by priority', () => {
    expect(surchargeMinor(fees, 'ROUTINE')).toBe(0);
    expect(surchargeMinor(fees, 'URGENT')).toBe(2000);
    expect(surchargeMinor(fees, 'EMERGENCY')).toBe(5000);
    expect(deliveryFeeMinor(fees, 12.5, 'ROUTINE')).toBe(1500 + 1500);
    expect(deliveryFeeMinor(fees, 12.5, 'URGENT')).toBe(1500 + 1500 + 2000);
    expect(deliveryFeeMinor(fees, 12.5, 'EMERGENCY')).toBe(1500 + 1500 + 5000);
  });
});

describe('quote', () => {
  test('tier price, subtotal, delivery fee and total', () => {
    expect(quote(schedule, fees, 10, 20.25, 'EMERGENCY')).toEqual({
      unitPriceMinor: 4100,
      subtotalMinor: 41_000,
      deliveryFeeMinor: 1500 + 2430 + 5000,
      totalMinor: 41_000 + 8930,
    });
    expect(quote(schedule, fees, 9, 0, 'ROUTINE')).toEqual({
      unitPriceMinor: 4500,
      subtotalMinor: 40_500,
      deliveryFeeMinor: 1500,
      totalMinor: 42_000,
    });
  });

  test('amounts up to 2^31-1 are exact; one more is refused, never wrapped or rounded', () => {
    const free: DeliveryFees = {
      baseFeeMinor: 0,
      perKmFeeMinor: 0,
      urgentSurchargeMinor: 0,
      emergencySurchargeMinor: 0,
    };
    // 2^31 - 1 = 2147483647 = 7 x 306783378 + 1
    const atLimit = quote(
      { unitPriceMinor: 7, tiers: [] },
      { ...free, baseFeeMinor: 1 },
      306_783_378,
      0,
      'ROUTINE',
    );
    expect(atLimit.totalMinor).toBe(MAX_AMOUNT_MINOR);
    expect(() =>
      quote({ unitPriceMinor: 7, tiers: [] }, { ...free, baseFeeMinor: 2 }, 306_783_378, 0, 'ROUTINE'),
    ).toThrow(AmountTooLargeError);
    expect(() => quote({ unitPriceMinor: MAX_AMOUNT_MINOR, tiers: [] }, free, 2, 0, 'ROUTINE')).toThrow(
      /the subtotal exceeds/,
    );
    // The fee alone can overflow: a huge per-km fee over a long way.
    expect(() => distanceFeeMinor(MAX_AMOUNT_MINOR, 2)).toThrow(/the distance fee exceeds/);
  });

  test('refuses a quantity that is not a positive whole number', () => {
    expect(() => quote(schedule, fees, 0, 1, 'ROUTINE')).toThrow(RangeError);
    expect(() => quote(schedule, fees, 1.5, 1, 'ROUTINE')).toThrow(RangeError);
  });
});
