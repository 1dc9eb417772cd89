import { errors, requireText } from '@flow/core';

/** The most units of one product a depot can hold, and a single change can move. */
export const MAX_UNITS = 1_000_000;
export const DEFAULT_HOLD_SECONDS = 900;
/** Seven days: the orders service holds an order's stock until it is delivered. */
export const MAX_ORDER_HOLD_SECONDS = 604_800;

/** A whole number of units from `min` to MAX_UNITS, or BAD_USER_INPUT naming `field`. */
export function requireUnits(value: number, field: string, min = 0): number {
  if (!Number.isInteger(value) || value < min || value > MAX_UNITS)
    throw errors.badUserInput(field, `${field} must be a whole number from ${min} to ${MAX_UNITS}.`);
  return value;
}

/** A stock change: a non-zero whole number of units, at most MAX_UNITS either way. */
export function requireDelta(value: number, field: string): number {
  if (!Number.isInteger(value) || value === 0 || Math.abs(value) > MAX_UNITS)
    throw errors.badUserInput(
      field,
      `${field} must be a non-zero whole number between -${MAX_UNITS} and ${MAX_UNITS}.`,
    );
  return value;
}

export function requireHoldSeconds(value: number | null | undefined, field: string, max: number): number {
  if (value === null || value === undefined) return DEFAULT_HOLD_SECONDS;
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw errors.badUserInput(field, `${field} must be from 1 to ${max} seconds.`);
  return value;
}

/** Optional free text: null when absent or blank, else trimmed and at most `max` characters. */
export function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  return requireText(value, field, { max });
}

/** An optional positive, finite number (litres) up to `max`. */
export function optionalPositive(
  value: number | null | undefined,
  field: string,
  max: number,
): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isFinite(value) || value <= 0 || value > max)
    throw errors.badUserInput(field, `${field} must be a positive number up to ${max}.`);
  return value;
}
