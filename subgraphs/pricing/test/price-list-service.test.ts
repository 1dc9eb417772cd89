import { randomUUID } from 'node:crypto';
import type { GraphQLError } from 'graphql';
import { PriceListService, type SetPriceInput } from '../src/services/price-list-service';
import { DeliveryTermsService, type SetDeliveryTermsInput } from '../src/services/delivery-terms-service';
import { contextFor, createTestDatabase, viewer, type TestDatabase } from './support/database';
import { FakeDependencies } from './support/fake-dependencies';

const USD = (amountMinor: number) => ({ amountMinor, currency: 'USD' });

/** The error a promise rejects with, as code and field, to compare in one expectation. */
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
let prices: PriceListService;
let terms: DeliveryTermsService;
const productId = randomUUID();
const retiredProductId = randomUUID();

beforeAll(async () => {
  db = await createTestDatabase();
  dependencies = new FakeDependencies();
  dependencies.products.set(productId, { id: productId, active: true });
  dependencies.products.set(retiredProductId, { id: retiredProductId, active: false });
  prices = new PriceListService(db.prisma, dependencies, 'USD');
  terms = new DeliveryTermsService(db.prisma, 'USD');
});
afterAll(() => db?.stop());

const priceInput = (overrides: Partial<SetPriceInput> = {}): SetPriceInput => ({
  productId,
  unitPrice: USD(4500),
  tiers: [
    { minQuantity: 10, unitPrice: USD(4100) },
    { minQuantity: 50, unitPrice: USD(3800) },
  ],
  ...overrides,
});

const termsInput = (overrides: Partial<SetDeliveryTermsInput> = {}): SetDeliveryTermsInput => ({
  baseFee: USD(1500),
  perKmFee: USD(120),
  emergencySurcharge: USD(5000),
  maxDistanceKm: 150,
  ...overrides,
});

describe('setPrice', () => {
  test("sets the price of the caller's own vendor, replacing its tiers", async () => {
    const staff = viewer('VENDOR_STAFF', 'VENDOR');
    const first = await prices.setPrice(contextFor(db.prisma, staff), priceInput());
    expect(first).toMatchObject({
      vendor: { id: staff.organizationId },
      product: { id: productId },
      unitPrice: USD(4500),
      tiers: [
        { minQuantity: 10, unitPrice: USD(4100) },
        { minQuantity: 50, unitPrice: USD(3800) },
      ],
    });
    const second = await prices.setPrice(
      contextFor(db.prisma, staff),
      priceInput({ unitPrice: USD(4400), tiers: [{ minQuantity: 20, unitPrice: USD(4000) }] }),
    );
    expect(second.id).toBe(first.id);
    expect(second).toMatchObject({
      unitPrice: USD(4400),
      tiers: [{ minQuantity: 20, unitPrice: USD(4000) }],
    });
    expect(await db.prisma.priceTier.count({ where: { entryId: first.id } })).toBe(1);
  });

  test('lower-case currency codes are accepted; no tiers is fine', async () => {
    const admin = viewer('VENDOR_ADMIN', 'VENDOR');
    const entry = await prices.setPrice(
      contextFor(db.prisma, admin),
      priceInput({ unitPrice: { amountMinor: 0, currency: 'usd' }, tiers: null }),
    );
    expect(entry).toMatchObject({ unitPrice: USD(0), tiers: [] });
  });

  test.each([
    ['a hospital admin', viewer('HOSPITAL_ADMIN', 'HOSPITAL')],
    ['a platform admin', viewer('PLATFORM_ADMIN', 'PLATFORM')],
    ["a vendor's driver", viewer('DRIVER', 'VENDOR')],
    [
      'a vendor role on a hospital organization (a token that should not exist)',
      viewer('VENDOR_ADMIN', 'HOSPITAL'),
    ],
  ])('%s is FORBIDDEN and nothing changes', async (_label, who) => {
    const before = await db.prisma.priceListEntry.count();
    expect(await failure(prices.setPrice(contextFor(db.prisma, who), priceInput()))).toEqual({
      code: 'FORBIDDEN',
      field: undefined,
    });
    expect(await db.prisma.priceListEntry.count()).toBe(before);
  });

  test('anonymous callers are UNAUTHENTICATED', async () => {
    expect((await failure(prices.setPrice(contextFor(db.prisma, null), priceInput()))).code).toBe(
      'UNAUTHENTICATED',
    );
  });

  test.each([
    ['input.productId', priceInput({ productId: 'not-a-uuid' })],
    ['input.unitPrice.currency', priceInput({ unitPrice: { amountMinor: 100, currency: 'EUR' } })],
    ['input.unitPrice.amountMinor', priceInput({ unitPrice: USD(-1) })],
    ['input.unitPrice.amountMinor', priceInput({ unitPrice: USD(1.5) })],
    [
      'input.tiers[1].unitPrice.currency',
      priceInput({
        tiers: [
          { minQuantity: 10, unitPrice: USD(4100) },
          { minQuantity: 20, unitPrice: { amountMinor: 4000, currency: 'KES' } },
        ],
      }),
    ],
    ['input.tiers[0].minQuantity', priceInput({ tiers: [{ minQuantity: 1, unitPrice: USD(4100) }] })],
    [
      'input.tiers[1].minQuantity',
      priceInput({
        tiers: [
          { minQuantity: 10, unitPrice: USD(4100) },
          { minQuantity: 10, unitPrice: USD(4000) },
        ],
      }),
    ],
    [
      'input.tiers[2].minQuantity',
      priceInput({
        tiers: [
          { minQuantity: 10, unitPrice: USD(4100) },
          { minQuantity: 50, unitPrice: USD(4000) },
          { minQuantity: 20, unitPrice: USD(3900) },
        ],
      }),
    ],
    [
      'input.tiers',
      priceInput({
        tiers: Array.from({ length: 21 }, (_, i) => ({ minQuantity: i + 2, unitPrice: USD(100) })),
      }),
    ],
    ['input.productId', priceInput({ productId: randomUUID() })],
    ['input.productId', priceInput({ productId: retiredProductId })],
  ])('BAD_USER_INPUT naming %s, and nothing changes', async (field, input) => {
    const vendor = viewer('VENDOR_ADMIN', 'VENDOR');
    await prices.setPrice(contextFor(db.prisma, vendor), priceInput());
    const before = await db.prisma.priceListEntry.findMany({
      where: { vendorOrganizationId: vendor.organizationId },
      include: { tiers: true },
    });
    expect(await failure(prices.setPrice(contextFor(db.prisma, vendor), input))).toEqual({
      code: 'BAD_USER_INPUT',
      field,
    });
    const after = await db.prisma.priceListEntry.findMany({
      where: { vendorOrganizationId: vendor.organizationId },
      include: { tiers: true },
    });
    expect(after).toEqual(before);
  });

  test('input is checked before the catalog is asked', async () => {
    dependencies.calls = [];
    await failure(
      prices.setPrice(
        contextFor(db.prisma, viewer('VENDOR_ADMIN', 'VENDOR')),
        priceInput({ unitPrice: USD(-5) }),
      ),
    );
    expect(dependencies.calls).toEqual([]);
  });

  test('the catalog being down is SERVICE_UNAVAILABLE and nothing changes', async () => {
    const vendor = viewer('VENDOR_ADMIN', 'VENDOR');
    dependencies.down.add('inventory');
    try {
      expect((await failure(prices.setPrice(contextFor(db.prisma, vendor), priceInput()))).code).toBe(
        'SERVICE_UNAVAILABLE',
      );
    } finally {
      dependencies.down.clear();
    }
    expect(
      await db.prisma.priceListEntry.count({ where: { vendorOrganizationId: vendor.organizationId } }),
    ).toBe(0);
  });

  test('two editors at once: one entry, with the tiers of one of them', async () => {
    const vendor = viewer('VENDOR_ADMIN', 'VENDOR');
    const ctx = () => contextFor(db.prisma, vendor);
    await Promise.all([
      prices.setPrice(ctx(), priceInput({ tiers: [{ minQuantity: 5, unitPrice: USD(1) }] })),
      prices.setPrice(
        ctx(),
        priceInput({
          tiers: [
            { minQuantity: 7, unitPrice: USD(2) },
            { minQuantity: 9, unitPrice: USD(1) },
          ],
        }),
      ),
    ]);
    const entries = await db.prisma.priceListEntry.findMany({
      where: { vendorOrganizationId: vendor.organizationId },
      include: { tiers: { orderBy: { minQuantity: 'asc' } } },
    });
    expect(entries).toHaveLength(1);
    expect([[5], [7, 9]]).toContainEqual(entries[0]!.tiers.map((t) => t.minQuantity));
  });
});

describe('priceList', () => {
  const vendorA = viewer('VENDOR_ADMIN', 'VENDOR');
  const vendorB = viewer('VENDOR_STAFF', 'VENDOR');
  const otherProduct = randomUUID();

  beforeAll(async () => {
    dependencies.products.set(otherProduct, { id: otherProduct, active: true });
    await prices.setPrice(contextFor(db.prisma, vendorA), priceInput());
    await prices.setPrice(contextFor(db.prisma, vendorA), priceInput({ productId: otherProduct }));
    await prices.setPrice(contextFor(db.prisma, vendorB), priceInput({ productId: otherProduct }));
  });

  test('a vendor sees its own entries only, whatever it asks for', async () => {
    const own = await prices.list(contextFor(db.prisma, vendorB), {});
    expect(own.edges.map((e) => e.node.vendor.id)).toEqual([vendorB.organizationId]);
    expect(
      (await failure(prices.list(contextFor(db.prisma, vendorB), { vendorId: vendorA.organizationId }))).code,
    ).toBe('FORBIDDEN');
  });

  test('a hospital sees any vendor, filtered and paged', async () => {
    const hospital = contextFor(db.prisma, viewer('HOSPITAL_STAFF', 'HOSPITAL'));
    const ofA = await prices.list(hospital, { vendorId: vendorA.organizationId, first: 1 });
    expect(ofA.totalCount).toBe(2);
    expect(ofA.edges).toHaveLength(1);
    expect(ofA.pageInfo.hasNextPage).toBe(true);
    const next = await prices.list(hospital, {
      vendorId: vendorA.organizationId,
      first: 1,
      after: ofA.pageInfo.endCursor,
    });
    expect(next.edges).toHaveLength(1);
    expect(next.pageInfo.hasNextPage).toBe(false);
    expect(new Set([...ofA.edges, ...next.edges].map((e) => e.node.product.id))).toEqual(
      new Set([productId, otherProduct]),
    );
    const ofProduct = await prices.list(hospital, { productId: otherProduct, first: 100 });
    expect(new Set(ofProduct.edges.map((e) => e.node.vendor.id))).toEqual(
      new Set([vendorA.organizationId, vendorB.organizationId]),
    );
  });

  test('bad arguments name themselves', async () => {
    const hospital = contextFor(db.prisma, viewer('HOSPITAL_STAFF', 'HOSPITAL'));
    expect((await failure(prices.list(hospital, { vendorId: 'x' }))).field).toBe('vendorId');
    expect((await failure(prices.list(hospital, { productId: 'x' }))).field).toBe('productId');
    expect((await failure(prices.list(hospital, { first: 0 }))).field).toBe('first');
    expect((await failure(prices.list(hospital, { after: 'garbage' }))).field).toBe('after');
  });
});

describe('setDeliveryTerms', () => {
  test("sets the caller's own terms; the urgent surcharge defaults to 0", async () => {
    const admin = viewer('VENDOR_ADMIN', 'VENDOR');
    const set = await terms.setDeliveryTerms(contextFor(db.prisma, admin), termsInput());
    expect(set).toMatchObject({
      vendorOrganizationId: admin.organizationId,
      currency: 'USD',
      baseFeeMinor: 1500,
      perKmFeeMinor: 120,
      urgentSurchargeMinor: 0,
      emergencySurchargeMinor: 5000,
      maxDistanceKm: 150,
    });
    const changed = await terms.setDeliveryTerms(
      contextFor(db.prisma, admin),
      termsInput({ urgentSurcharge: USD(2000), maxDistanceKm: 80.5 }),
    );
    expect(changed).toMatchObject({ urgentSurchargeMinor: 2000, maxDistanceKm: 80.5 });
  });

  test.each([
    ['vendor staff', viewer('VENDOR_STAFF', 'VENDOR')],
    ['a hospital admin', viewer('HOSPITAL_ADMIN', 'HOSPITAL')],
    ['a platform admin', viewer('PLATFORM_ADMIN', 'PLATFORM')],
  ])('%s is FORBIDDEN', async (_label, who) => {
    expect((await failure(terms.setDeliveryTerms(contextFor(db.prisma, who), termsInput()))).code).toBe(
      'FORBIDDEN',
    );
    expect(await db.prisma.deliveryTerms.count({ where: { vendorOrganizationId: who.organizationId } })).toBe(
      0,
    );
  });

  test.each([
    ['input.baseFee.currency', termsInput({ baseFee: { amountMinor: 1, currency: 'EUR' } })],
    ['input.perKmFee.amountMinor', termsInput({ perKmFee: USD(-1) })],
    ['input.urgentSurcharge.currency', termsInput({ urgentSurcharge: { amountMinor: 1, currency: 'GBP' } })],
    ['input.emergencySurcharge.amountMinor', termsInput({ emergencySurcharge: USD(2 ** 31) })],
    ['input.maxDistanceKm', termsInput({ maxDistanceKm: 0 })],
    ['input.maxDistanceKm', termsInput({ maxDistanceKm: 2000.5 })],
    ['input.maxDistanceKm', termsInput({ maxDistanceKm: Number.NaN })],
  ])('BAD_USER_INPUT naming %s, and nothing changes', async (field, input) => {
    const admin = viewer('VENDOR_ADMIN', 'VENDOR');
    await terms.setDeliveryTerms(contextFor(db.prisma, admin), termsInput());
    const before = await db.prisma.deliveryTerms.findUnique({
      where: { vendorOrganizationId: admin.organizationId },
    });
    expect(await failure(terms.setDeliveryTerms(contextFor(db.prisma, admin), input))).toEqual({
      code: 'BAD_USER_INPUT',
      field,
    });
    expect(
      await db.prisma.deliveryTerms.findUnique({ where: { vendorOrganizationId: admin.organizationId } }),
    ).toEqual(before);
  });

  test("who may read terms: hospitals any vendor's, a vendor only its own", async () => {
    const vendorA = viewer('VENDOR_ADMIN', 'VENDOR');
    const vendorB = viewer('VENDOR_ADMIN', 'VENDOR');
    await terms.setDeliveryTerms(contextFor(db.prisma, vendorA), termsInput());
    const hospital = contextFor(db.prisma, viewer('HOSPITAL_STAFF', 'HOSPITAL'));
    expect(await terms.forVendor(hospital, vendorA.organizationId)).toMatchObject({ baseFeeMinor: 1500 });
    expect(await terms.forVendor(hospital, vendorB.organizationId)).toBeNull();
    expect(await terms.forVendor(contextFor(db.prisma, vendorA), vendorA.organizationId)).not.toBeNull();
    expect(
      (await failure(terms.forVendor(contextFor(db.prisma, vendorB), vendorA.organizationId))).code,
    ).toBe('FORBIDDEN');
    expect(await terms.ofOrganization(contextFor(db.prisma, vendorB), vendorA.organizationId)).toBeNull();
    expect((await failure(terms.forVendor(hospital, 'nope'))).field).toBe('vendorId');
  });
});
