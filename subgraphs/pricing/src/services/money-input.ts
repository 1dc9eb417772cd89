import { errors } from '@flow/core';
import { MAX_AMOUNT_MINOR, type TierPrice } from './money';

export interface MoneyInput {
  amountMinor: number;
  currency: string;
}

export interface TierInput {
  minQuantity: number;
  unitPrice: MoneyInput;
}

export const MAX_TIERS = 20;

/**
 * An amount in the platform currency, as minor units; BAD_USER_INPUT naming `<field>.currency`
 * or `<field>.amountMinor` otherwise. One currency platform-wide keeps every comparison of
 * offers a comparison of plain integers.
 */
export function requireMoney(input: MoneyInput, field: string, platformCurrency: string): number {
  const currency = input.currency.trim().toUpperCase();
  if (currency !== platformCurrency) {
    throw errors.badUserInput(
      `${field}.currency`,
      `${field}.currency must be ${platformCurrency}, the platform currency.`,
    );
  }
  if (
    !Number.isSafeInteger(input.amountMinor) ||
    input.amountMinor < 0 ||
    input.amountMinor > MAX_AMOUNT_MINOR
  ) {
    throw errors.badUserInput(
      `${field}.amountMinor`,
      `${field}.amountMinor must be a whole number of minor units from 0 to ${MAX_AMOUNT_MINOR}.`,
    );
  }
  return input.amountMinor;
}

/**
 * Quantity tiers in increasing order of minQuantity, each quantity once, every minQuantity >= 2
 * (a tier from 1 would just be the base price).
 */
export function requireTiers(
  tiers: readonly TierInput[],
  field: string,
  platformCurrency: string,
): TierPrice[] {
  if (tiers.length > MAX_TIERS)
    throw errors.badUserInput(field, `${field} can hold at most ${MAX_TIERS} tiers.`);
  return tiers.map((tier, index) => {
    const at = `${field}[${index}]`;
    if (!Number.isSafeInteger(tier.minQuantity) || tier.minQuantity < 2) {
      throw errors.badUserInput(
        `${at}.minQuantity`,
        `${at}.minQuantity must be a whole number of at least 2.`,
      );
    }
    const previous = tiers[index - 1];
    if (previous && tier.minQuantity <= previous.minQuantity) {
      throw errors.badUserInput(
        `${at}.minQuantity`,
        `${at}.minQuantity must be greater than ${field}[${index - 1}].minQuantity: tiers go in increasing order, each quantity once.`,
      );
    }
    return {
      minQuantity: tier.minQuantity,
      unitPriceMinor: requireMoney(tier.unitPrice, `${at}.unitPrice`, platformCurrency),
    };
  });
}
