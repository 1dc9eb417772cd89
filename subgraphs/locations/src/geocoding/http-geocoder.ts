import { GeocoderUnavailableError, type GeocodeMatch, type GeocodeQuery, type Geocoder } from './geocoder';

export interface HttpGeocoderOptions {
  /**
   * A Nominatim-compatible search endpoint, e.g. `https://nominatim.example.org/search`. Query
   * parameters already in it (an API key, say) are kept.
   */
  url: string;
  timeoutMs: number;
  /** Nominatim's usage policy asks every application to identify itself. */
  userAgent: string;
  fetch?: typeof fetch;
}

interface NominatimPlace {
  lat?: unknown;
  lon?: unknown;
  display_name?: unknown;
}

/**
 * Geocoding by a Nominatim-compatible HTTP API (Nominatim itself, or a hosted service speaking its
 * search API) for production, where street-level positions are worth a network call. The full
 * address is asked first; when the service knows no such street, the city alone, so that an
 * address is refused only when its city cannot be found either.
 */
export class HttpGeocoder implements Geocoder {
  readonly name = 'http';
  private readonly fetch: typeof fetch;

  constructor(private readonly options: HttpGeocoderOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  async geocode(query: GeocodeQuery): Promise<GeocodeMatch | null> {
    const cityLevel = { city: query.city, state: query.region, postalcode: query.postalCode };
    return (
      (await this.search(query.country, { street: query.line1, ...cityLevel })) ??
      (await this.search(query.country, cityLevel))
    );
  }

  private async search(
    country: string,
    fields: Record<string, string | null | undefined>,
  ): Promise<GeocodeMatch | null> {
    const url = new URL(this.options.url);
    for (const [key, value] of Object.entries(fields)) if (value) url.searchParams.set(key, value);
    url.searchParams.set('countrycodes', country.toLowerCase());
    url.searchParams.set('format', 'jsonv2');
    url.searchParams.set('limit', '1');

    let response: Response;
    try {
      response = await this.fetch(url, {
        headers: { accept: 'application/json', 'user-agent': this.options.userAgent },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new GeocoderUnavailableError('the geocoding service did not answer', { cause: error });
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new GeocoderUnavailableError(`the geocoding service answered HTTP ${response.status}`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      throw new GeocoderUnavailableError('the geocoding service answered something other than JSON', {
        cause: error,
      });
    }
    if (!Array.isArray(body)) throw new GeocoderUnavailableError('the geocoding service answered no list');
    const [first] = body as NominatimPlace[];
    if (!first) return null;
    const lat = Number(first.lat);
    const lng = Number(first.lon);
    if (!Number.isFinite(lat) || !Number.isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180)
      throw new GeocoderUnavailableError('the geocoding service answered a place without a valid position');
    return {
      position: { lat, lng },
      matchedPlace:
        typeof first.display_name === 'string' ? first.display_name : `${fields.city}, ${country}`,
      country,
    };
  }
}
