import type { Position } from '../geo/distance';

/** An address as the geocoder sees it: already validated, country as ISO 3166-1 alpha-2. */
export interface GeocodeQuery {
  line1: string;
  city: string;
  region: string | null;
  postalCode: string | null;
  country: string;
}

export interface GeocodeMatch {
  position: Position;
  /** What the address was matched to, in words a person can check ("Springfield, IL, US"). */
  matchedPlace: string;
  country: string;
}

/**
 * Finds where an address is. `null` means "no such place" (the caller's input is wrong); a
 * provider that cannot answer right now throws GeocoderUnavailableError instead, so that an outage
 * is never reported to a user as a bad address.
 */
export interface Geocoder {
  readonly name: string;
  geocode(query: GeocodeQuery): Promise<GeocodeMatch | null>;
}

export class GeocoderUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GeocoderUnavailableError';
  }
}
