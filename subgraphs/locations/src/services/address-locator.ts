import { errors } from '@flow/core';
import { type BaseContext } from '@flow/subgraph-kit';
import { GeocoderUnavailableError, type GeocodeMatch, type Geocoder } from '../geocoding';
import type { ValidAddress } from './site-input';

/** Turns an address into a position, or tells the user (or the operator) why it cannot. */
export class AddressLocator {
  constructor(private readonly geocoder: Geocoder) {}

  /** `field` is the input path of the address, named in the error when it cannot be found. */
  async locate(ctx: BaseContext, address: ValidAddress, field: string): Promise<GeocodeMatch> {
    let match: GeocodeMatch | null;
    try {
      match = await this.geocoder.geocode(address);
    } catch (error) {
      if (!(error instanceof GeocoderUnavailableError)) throw error;
      ctx.logger.warn({ err: error, geocoder: this.geocoder.name }, 'geocoder unavailable');
      // An outage is not the user's fault: never report it as a bad address.
      throw errors.serviceUnavailable('geocoding');
    }
    if (!match)
      throw errors.badUserInput(
        field,
        `${field} could not be located: no place called “${address.city}” is known in ${address.country}. ` +
          'Check the city and country, or give the position.',
      );
    return match;
  }
}
