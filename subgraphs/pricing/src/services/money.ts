// The money math of offers, pure and exact: integer minor units in, integer minor units out.
// Products are computed with BigInt so that no intermediate value loses precision; a result
// that does not fit the API's 32-bit Int is refused rather than wrapped or rounded.

/** The largest amount the API can return: GraphQL's Int is a signed 32-bit integer. */
export const MAX_AMOUNT_MINOR = 2 ** 31 - 1;

export type Priority = 'ROUTINE' | 'URGENT' | 'EMERGENCY';

export interface Money {
  amountMinor: number;
  currency: string;
}

export interface TierPrice {
  /** The tier's unit price applies from this quantity up. */
  minQuantity: number;
  unitPriceMinor: number;
}

export interface PriceSchedule {
  /** The unit price below every tier. */
  unitPriceMinor: number;
  tiers: readonly TierPrice[];
}

export interface DeliveryFees {
  baseFeeMinor: number;
  perKmFeeMinor: number;
  urgentSurchargeMinor: number;
  emergencySurchargeMinor: number;
}

export interface Quote {
  unitPriceMinor: number;
  subtotalMinor: number;
  deliveryFeeMinor: number;
  totalMinor: number;
}

/** An amount came out larger than the API can carry (MAX_AMOUNT_MINOR). */
export class AmountTooLargeError extends Error {
  constructor(readonly what: string) {
    super(`${what} exceeds ${MAX_AMOUNT_MINOR} minor units`);
    this.name = 'AmountTooLargeError';
  }
}

/** The unit price for a quantity: the largest tier whose minQuantity <= quantity, else the base price. */
export function unitPriceFor(schedule: PriceSchedule, quantity: number): number {
  let best: TierPrice | undefined;
  for (const tier of schedule.tiers) {
    if (tier.minQuantity <= quantity && (!best || tier.minQuantity > best.minQuantity)) best = tier;
  }
  return best ? best.unitPriceMinor : schedule.unitPriceMinor;
}

/** numerator / denominator rounded half up, for non-negative integers. */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (numerator < 0n || denominator <= 0n)
    throw new RangeError('divideRoundHalfUp takes non-negative values');
  return (2n * numerator + denominator) / (2n * denominator);
}

/**
 * perKmFee x distance, rounded half up to the minor unit. The distance counts to the metre:
 * distances arrive as binary floats (12.35 is really 12.3499999...), and multiplying those
 * directly would round some exact halves down. Whole metres make the product exact.
 */
export function distanceFeeMinor(perKmFeeMinor: number, distanceKm: number): number {
  if (!Number.isFinite(distanceKm) || distanceKm < 0) throw new RangeError('distanceKm must be >= 0');
  const metres = BigInt(Math.round(distanceKm * 1000));
  return checked(divideRoundHalfUp(BigInt(perKmFeeMinor) * metres, 1000n), 'the distance fee');
}

export function surchargeMinor(fees: DeliveryFees, priority: Priority): number {
  if (priority === 'URGENT') return fees.urgentSurchargeMinor;
  if (priority === 'EMERGENCY') return fees.emergencySurchargeMinor;
  return 0;
}

/** baseFee + perKmFee x distance (rounded half up) + the priority's surcharge. */
export function deliveryFeeMinor(fees: DeliveryFees, distanceKm: number, priority: Priority): number {
  const sum =
    BigInt(fees.baseFeeMinor) +
    BigInt(distanceFeeMinor(fees.perKmFeeMinor, distanceKm)) +
    BigInt(surchargeMinor(fees, priority));
  return checked(sum, 'the delivery fee');
}

/** Everything an offer costs: tier unit price, subtotal, delivery fee and total. */
export function quote(
  schedule: PriceSchedule,
  fees: DeliveryFees,
  quantity: number,
  distanceKm: number,
  priority: Priority,
): Quote {
  if (!Number.isSafeInteger(quantity) || quantity < 1)
    throw new RangeError('quantity must be a positive integer');
  const unitPrice = unitPriceFor(schedule, quantity);
  const subtotal = BigInt(unitPrice) * BigInt(quantity);
  const deliveryFee = deliveryFeeMinor(fees, distanceKm, priority);
  return {
    unitPriceMinor: unitPrice,
    subtotalMinor: checked(subtotal, 'the subtotal'),
    deliveryFeeMinor: deliveryFee,
    totalMinor: checked(subtotal + BigInt(deliveryFee), 'the total'),
  };
}

function checked(amount: bigint, what: string): number {
  if (amount > BigInt(MAX_AMOUNT_MINOR)) throw new AmountTooLargeError(what);
  return Number(amount);
}
