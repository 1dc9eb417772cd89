import { randomUUID } from 'node:crypto';
import type { GraphQLError } from 'graphql';
import { DeliveryTermsService } from '../src/services/delivery-terms-service';
import { OfferService } from '../src/services/offer-service';
import { PriceListService } from '../src/services/price-list-service';
import { contextFor, createTestDatabase, silentLogger, viewer, type TestDatabase } from './support/database';
import { FakeDependencies } from './support/fake-dependencies';

const USD = (amountMinor: number) => ({ amountMinor, currency: 'USD' });

async function failure(promise: Promise<unknown>) {
  const error = (await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  )) as GraphQLError;
  return { code: error.extensions?.code, field: error.extensions?.field };
}

let db: TestDatabase;
let dependencies: FakeDependencies;
let offers: OfferService;
const productId = randomUUID();
const siteId = randomUUID();
const hospital = viewer('HOSPITAL_STAFF', 'HOSPITAL');

/** A vendor with a price, terms, one depot at `distanceKm` holding `available`. */
async function addVendor(options: {
  status?: string;
  unitPrice: number;
  distanceKm: number;
  available: number;
  maxDistanceKm?: number;
}) {
  const admin = viewer('VENDOR_ADMIN', 'VENDOR');
  const id = admin.organizationId;
  dependencies.organizationsById.set(id, {
    id,
    name: `Vendor ${id}`,
    kind: 'VENDOR',
    status: options.status ?? 'ACTIVE',
  });
  await new PriceListService(db.prisma, dependencies, 'USD').setPrice(contextFor(db.prisma, admin), {
    productId,
    unitPrice: USD(options.unitPrice),
    tiers: [{ minQuantity: 10, unitPrice: USD(options.unitPrice - 100) }],
  });
  await new DeliveryTermsService(db.prisma, 'USD').setDeliveryTerms(contextFor(db.prisma, admin), {
    baseFee: USD(1000),
    perKmFee: USD(100),
    urgentSurcharge: USD(700),
    emergencySurcharge: USD(3000),
    maxDistanceKm: options.maxDistanceKm ?? 100,
  });
  const depotId = randomUUID();
  dependencies.depots.push({
    depotId,
    depotName: `Depot ${depotId}`,
    organizationId: id,
    distanceKm: options.distanceKm,
    durationMinutes: 60,
  });
  dependencies.available.set(depotId, options.available);
  return { id, depotId };
}

beforeAll(async () => {
  db = await createTestDatabase();
  dependencies = new FakeDependencies();
  dependencies.products.set(productId, { id: productId, active: true });
  offers = new OfferService(db.prisma, dependencies, 'USD', silentLogger);
});
afterAll(() => db?.stop());
beforeEach(() => {
  dependencies.calls = [];
  dependencies.down.clear();
});

const args = (overrides: Record<string, unknown> = {}) => ({
  productId,
  quantity: 10,
  siteId,
  priority: 'URGENT',
  ...overrides,
});

describe('compareOffers', () => {
  test('no vendor prices the product: an empty list without asking anyone', async () => {
    expect(
      await offers.compareOffers(contextFor(db.prisma, hospital), args({ productId: randomUUID() })),
    ).toEqual([]);
    expect(dependencies.calls).toEqual([]);
  });

  test('approved vendors in range with stock, ranked; one call to each dependency', async () => {
    const cheap = await addVendor({ unitPrice: 2000, distanceKm: 30, available: 10 });
    const dear = await addVendor({ unitPrice: 2500, distanceKm: 5, available: 50 });
    await addVendor({ unitPrice: 100, distanceKm: 5, available: 50, status: 'PENDING_APPROVAL' });
    await addVendor({ unitPrice: 100, distanceKm: 5, available: 50, status: 'SUSPENDED' });
    await addVendor({ unitPrice: 100, distanceKm: 5, available: 9 }); // short of stock
    await addVendor({ unitPrice: 100, distanceKm: 60, available: 50, maxDistanceKm: 50 }); // out of its range

    const result = await offers.compareOffers(contextFor(db.prisma, hospital), args());
    // cheap: 10 x 1900 + 1000 + 100 x 30 + 700; dear: 10 x 2400 + 1000 + 100 x 5 + 700
    expect(result.map((o) => [o.vendor.id, o.depot.id, o.total.amountMinor])).toEqual([
      [cheap.id, cheap.depotId, 19_000 + 4700],
      [dear.id, dear.depotId, 24_000 + 2200],
    ]);
    expect(result[0]).toMatchObject({ unitPrice: USD(1900), subtotal: USD(19_000), deliveryFee: USD(4700) });
    expect(dependencies.callsTo('organizations')).toHaveLength(1);
    expect(dependencies.callsTo('nearestDepots')).toHaveLength(1);
    expect(dependencies.callsTo('stock')).toHaveLength(1);
    expect(dependencies.callsTo('nearestDepots')[0]!.args).toMatchObject({
      siteId,
      maxDistanceKm: 100,
      first: 100,
    });
    // Stock is asked for only at depots of approved vendors within their own range.
    const asked = (dependencies.callsTo('stock')[0]!.args as { depotIds: string[] }).depotIds;
    expect(asked).toHaveLength(3);
  });

  test('an inactive product has no offers', async () => {
    dependencies.products.set(productId, { id: productId, active: false });
    try {
      expect(await offers.compareOffers(contextFor(db.prisma, hospital), args())).toEqual([]);
    } finally {
      dependencies.products.set(productId, { id: productId, active: true });
    }
  });

  test.each(['users', 'locations', 'inventory'] as const)(
    '%s being down is SERVICE_UNAVAILABLE, never a shorter list',
    async (name) => {
      dependencies.down.add(name);
      expect((await failure(offers.compareOffers(contextFor(db.prisma, hospital), args()))).code).toBe(
        'SERVICE_UNAVAILABLE',
      );
    },
  );

  test.each([
    ['quantity', { quantity: 0 }],
    ['quantity', { quantity: -3 }],
    ['quantity', { quantity: 2.5 }],
    ['productId', { productId: 'abc' }],
    ['siteId', { siteId: '' }],
    ['priority', { priority: 'WHENEVER' }],
  ])('BAD_USER_INPUT naming %s, before anyone is asked', async (field, overrides) => {
    expect(await failure(offers.compareOffers(contextFor(db.prisma, hospital), args(overrides)))).toEqual({
      code: 'BAD_USER_INPUT',
      field,
    });
    expect(dependencies.calls).toEqual([]);
  });

  test('a quantity whose total would not fit the API is BAD_USER_INPUT naming quantity', async () => {
    dependencies.available = new Map([...dependencies.available].map(([id]) => [id, 2 ** 31 - 1]));
    expect(
      await failure(offers.compareOffers(contextFor(db.prisma, hospital), args({ quantity: 2_000_000 }))),
    ).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'quantity',
    });
  });

  test('anonymous callers are UNAUTHENTICATED', async () => {
    expect((await failure(offers.compareOffers(contextFor(db.prisma, null), args()))).code).toBe(
      'UNAUTHENTICATED',
    );
  });

  test('reads pricing with one SQL statement', async () => {
    db.statements.length = 0;
    await offers.compareOffers(contextFor(db.prisma, hospital), args());
    expect(db.statements).toHaveLength(1);
  });
});
