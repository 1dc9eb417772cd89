import {
  createPricingTestEnvironment,
  registerOrganization,
  type Organization,
  type PricingTestEnvironment,
} from './support/environment';
import { COMPARE_OFFERS, firstError, setDeliveryTerms, setPrice, USD } from './support/queries';
import { startBlackHole } from './support/stand-ins';

// locations hangs (accepts connections, never answers). compareOffers must say
// SERVICE_UNAVAILABLE, never a shorter list; once the circuit breaker has opened it must say so
// at once, without calling locations; and the rest of pricing keeps working.

let t: PricingTestEnvironment;
let blackHole: Awaited<ReturnType<typeof startBlackHole>>;
let hospital: Organization;
let vendor: Organization;
let productId: string;
let siteId: string;
const TIMEOUT_MS = 200;

beforeAll(async () => {
  blackHole = await startBlackHole();
  t = await createPricingTestEnvironment({
    LOCATIONS_URL: blackHole.url,
    DEPENDENCY_TIMEOUT_MS: String(TIMEOUT_MS),
  });
  hospital = await registerOrganization(t, 'HOSPITAL');
  vendor = await registerOrganization(t, 'VENDOR');
  productId = t.inventory.addProduct();
  siteId = t.locations.addSite(hospital.id, 'HOSPITAL_SITE');
  await setDeliveryTerms(t.gql, vendor.token, {
    baseFee: USD(100),
    perKmFee: USD(10),
    emergencySurcharge: USD(1000),
    maxDistanceKm: 50,
  });
  await setPrice(t.gql, vendor.token, { productId, unitPrice: USD(500) });
});
afterAll(async () => {
  await t?.stop();
  await blackHole?.stop();
});

async function timedCompare() {
  const started = performance.now();
  const result = await t.gql({
    query: COMPARE_OFFERS,
    variables: { productId, quantity: 1, siteId },
    token: hospital.token,
  });
  return { result, ms: performance.now() - started };
}

test('a hanging dependency: SERVICE_UNAVAILABLE after the deadline, then at once once the breaker opens', async () => {
  // First call: three attempts (one plus two retries of a read), each cut at the deadline.
  const first = await timedCompare();
  expect(firstError(first.result).code).toBe('SERVICE_UNAVAILABLE');
  expect(first.result.errors![0]!.extensions).toMatchObject({ service: 'locations' });
  expect(first.result.data).toEqual({ compareOffers: null });
  expect(first.ms).toBeGreaterThanOrEqual(3 * TIMEOUT_MS);
  expect(blackHole.requests()).toBe(3);

  // Second call: the fifth consecutive failure opens the breaker.
  const second = await timedCompare();
  expect(firstError(second.result).code).toBe('SERVICE_UNAVAILABLE');
  expect(t.pricing.dependencies.locations.breakerState).toBe('open');
  const requestsWhenOpened = blackHole.requests();

  // From now on: no call goes out, the answer is immediate.
  for (let i = 0; i < 3; i++) {
    const fast = await timedCompare();
    expect(firstError(fast.result).code).toBe('SERVICE_UNAVAILABLE');
    expect(fast.ms).toBeLessThan(TIMEOUT_MS);
  }
  expect(blackHole.requests()).toBe(requestsWhenOpened);
});

test('prices can still be set and pricing stays ready while locations is down', async () => {
  await setPrice(t.gql, vendor.token, { productId, unitPrice: USD(450) });
  const ready = await fetch(new URL('/health/ready', t.pricing.url));
  expect(ready.status).toBe(200);
});
