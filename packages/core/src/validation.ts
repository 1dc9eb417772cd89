import { errors } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Deliberately simple: one @, something on each side, a dot in the domain, no spaces.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const isUuid = (value: string) => UUID.test(value);

/** Trimmed text between `min` and `max` characters, or BAD_USER_INPUT naming `field`. */
export function requireText(value: string, field: string, limits: { min?: number; max: number }): string {
  const trimmed = value.trim();
  const min = limits.min ?? 1;
  if (trimmed.length < min) {
    throw errors.badUserInput(
      field,
      min === 1 ? `${field} must not be empty.` : `${field} must be at least ${min} characters.`,
    );
  }
  if (trimmed.length > limits.max)
    throw errors.badUserInput(field, `${field} must be at most ${limits.max} characters.`);
  return trimmed;
}

export function requireEmail(value: string, field: string): string {
  const email = value.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email))
    throw errors.badUserInput(field, `${field} is not a valid email address.`);
  return email;
}

export function requireUuid(value: string, field: string): string {
  if (!isUuid(value)) throw errors.badUserInput(field, `${field} is not a valid id.`);
  return value.toLowerCase();
}

export function requireOneOf<T extends string>(value: string, allowed: readonly T[], field: string): T {
  if (!allowed.includes(value as T))
    throw errors.badUserInput(field, `${field} must be one of ${allowed.join(', ')}.`);
  return value as T;
}
