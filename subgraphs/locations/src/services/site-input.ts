import { errors, requireOneOf, requireText } from '@flow/core';
import type { Position } from '../geo/distance';
import type { GeocodeQuery } from '../geocoding';
import type { SiteKind } from '../generated/prisma/client';
import { COUNTRY_CODES } from './countries';

/** Checks and cleaning of what clients send; every error names the offending field's path. */

export const SITE_KINDS: readonly SiteKind[] = ['HOSPITAL_SITE', 'DEPOT'];

export interface AddressInput {
  line1: string;
  city: string;
  region?: string | null;
  postalCode?: string | null;
  country: string;
}

export interface PositionInput {
  lat: number;
  lng: number;
}

export interface CreateSiteInput {
  name: string;
  kind: string;
  address: AddressInput;
  position?: PositionInput | null;
}

export type ValidAddress = GeocodeQuery;

export interface ValidSite {
  name: string;
  kind: SiteKind;
  address: ValidAddress;
  position: Position | null;
}

const CONTROL_CHARACTERS = /\p{Cc}/u;
const POSTAL_CODE = /^[\p{L}\p{N}][\p{L}\p{N} -]*$/u;

function requireLine(value: string, field: string, max: number): string {
  const text = requireText(value, field, { max });
  if (CONTROL_CHARACTERS.test(text))
    throw errors.badUserInput(field, `${field} must not contain control characters.`);
  return text;
}

/** An optional text: blank means absent. */
function optionalLine(value: string | null | undefined, field: string, max: number): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  return requireLine(value, field, max);
}

export function requireCountryCode(value: string, field: string): string {
  const code = value.trim().toUpperCase();
  if (!COUNTRY_CODES.has(code))
    throw errors.badUserInput(
      field,
      `${field} must be an ISO 3166-1 alpha-2 country code, e.g. KE, IN or US.`,
    );
  return code;
}

export function parseAddress(input: AddressInput, path: string): ValidAddress {
  const line1 = requireLine(input.line1, `${path}.line1`, 200);
  const city = requireLine(input.city, `${path}.city`, 100);
  const region = optionalLine(input.region, `${path}.region`, 100);
  const postalCode = optionalLine(input.postalCode, `${path}.postalCode`, 16);
  if (postalCode !== null && !POSTAL_CODE.test(postalCode))
    throw errors.badUserInput(
      `${path}.postalCode`,
      `${path}.postalCode may hold only letters, digits, spaces and hyphens.`,
    );
  const country = requireCountryCode(input.country, `${path}.country`);
  return { line1, city, region, postalCode, country };
}

export function parsePosition(input: PositionInput, path: string): Position {
  if (!Number.isFinite(input.lat) || input.lat < -90 || input.lat > 90)
    throw errors.badUserInput(`${path}.lat`, `${path}.lat must be between -90 and 90 degrees.`);
  if (!Number.isFinite(input.lng) || input.lng < -180 || input.lng > 180)
    throw errors.badUserInput(`${path}.lng`, `${path}.lng must be between -180 and 180 degrees.`);
  return { lat: input.lat, lng: input.lng };
}

export function parseCreateSite(input: CreateSiteInput): ValidSite {
  return {
    name: requireLine(input.name, 'input.name', 120),
    kind: requireOneOf(input.kind, SITE_KINDS, 'input.kind'),
    address: parseAddress(input.address, 'input.address'),
    position: input.position ? parsePosition(input.position, 'input.position') : null,
  };
}
