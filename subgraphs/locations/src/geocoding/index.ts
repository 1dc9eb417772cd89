import type { GeocoderConfig } from '../env';
import { GazetteerGeocoder } from './gazetteer-geocoder';
import type { Geocoder } from './geocoder';
import { HttpGeocoder } from './http-geocoder';

export * from './geocoder';
export { GazetteerGeocoder } from './gazetteer-geocoder';
export { HttpGeocoder } from './http-geocoder';

export function createGeocoder(config: GeocoderConfig): Geocoder {
  return config.kind === 'http' ? new HttpGeocoder(config) : new GazetteerGeocoder();
}
