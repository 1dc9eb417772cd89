import { randomUUID } from 'node:crypto';
import {
  applyMigrations,
  createSubgraphPrisma,
  dropSchema,
  subgraphDatabase,
  subgraphMigrationsDir,
  type BaseContext,
} from '@flow/subgraph-kit';
import { createLogger, errors, type Viewer } from '@flow/core';
import { databaseUrlForSchema, uniqueSchemaName } from '@flow/testing';
import { seedStandardProducts } from '../src/catalog/seed';
import { inventoryTransactionOptions, type InventoryPrisma } from '../src/db';
import { PrismaClient } from '../src/generated/prisma/client';
import { createLoaders } from '../src/loaders';
import { createInventoryServices, type InventoryServices } from '../src/services';
import type { SiteLookup, SiteSummary } from '../src/services/depot-directory';
import { startReservationSweeper } from '../src/services/reservation-sweeper';

// The services called directly, on a real database, with locations replaced by a map: what
// they decide on their own, without HTTP in between.
const logger = createLogger('inventory-test', 'silent');
const migrationsDir = subgraphMigrationsDir('inventory');
const database = subgraphDatabase('inventory', {
  databaseUrl: databaseUrlForSchema(uniqueSchemaName('inventory_services')),
});
let prisma: InventoryPrisma;
let services: InventoryServices;
const sites = new Map<string, SiteSummary>();
let lookups = 0;
let locationsDown = false;
const fakeLocations: SiteLookup = {
  findSite: async (_ctx, id) => {
    lookups += 1;
    if (locationsDown) throw errors.serviceUnavailable('locations');
    return sites.get(id) ?? null;
  },
};

const vendorA = randomUUID();
const vendorB = randomUUID();
const depotA = randomUUID();
const depotB = randomUUID();
const hospitalSite = randomUUID();
let productId: string;

function ctx(
  role: Viewer['role'],
  organizationId: string,
): BaseContext & { loaders: ReturnType<typeof createLoaders> } {
  return {
    requestId: randomUUID(),
    callerService: null,
    // A direct service call: no caller deadline.
    signal: new AbortController().signal,
    deadline: Number.MAX_SAFE_INTEGER,
    viewer: {
      userId: randomUUID(),
      organizationId,
      organizationKind: role.startsWith('VENDOR')
        ? 'VENDOR'
        : role === 'PLATFORM_ADMIN'
          ? 'PLATFORM'
          : 'HOSPITAL',
      role,
      scopes: [],
      tokenId: undefined,
    },
    authorization: 'Bearer test',
    logger,
    clientAddress: null,
    loaders: createLoaders(prisma),
  };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: { extensions?: Record<string, unknown> }) => error.extensions,
  );

beforeAll(async () => {
  await applyMigrations({ ...database, migrationsDir });
  prisma = createSubgraphPrisma(PrismaClient, database, { transactionOptions: inventoryTransactionOptions });
  await seedStandardProducts(prisma, logger);
  services = createInventoryServices({ prisma, logger, sites: fakeLocations, sweepBatchSize: 3 });
  sites.set(depotA, { id: depotA, kind: 'DEPOT', organization: { id: vendorA } });
  sites.set(depotB, { id: depotB, kind: 'DEPOT', organization: { id: vendorB } });
  sites.set(hospitalSite, { id: hospitalSite, kind: 'HOSPITAL_SITE', organization: { id: randomUUID() } });
  productId = (await prisma.product.findUniqueOrThrow({ where: { sku: 'O2-CYL-M60' } })).id;
});
afterAll(async () => {
  await prisma?.$disconnect();
  await dropSchema(database.connectionString, database.schema);
});

describe('depot ownership', () => {
  it('asks locations once per depot and answers from the cache afterwards', async () => {
    lookups = 0;
    await services.stock.setStock(ctx('VENDOR_STAFF', vendorA), { depotId: depotA, productId, onHand: 5 });
    await services.stock.setStock(ctx('VENDOR_ADMIN', vendorA), { depotId: depotA, productId, onHand: 6 });
    expect(lookups).toBe(1);
    locationsDown = true;
    try {
      const level = await services.stock.adjustStock(ctx('VENDOR_STAFF', vendorA), {
        depotId: depotA,
        productId,
        delta: 1,
        reason: 'found one',
      });
      expect(level.onHand).toBe(7);
      // A depot not yet known cannot be checked while locations is down: nothing is written.
      expect(
        await failure(
          services.stock.setStock(ctx('VENDOR_STAFF', vendorB), { depotId: depotB, productId, onHand: 1 }),
        ),
      ).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(await prisma.stockLevel.count({ where: { depotId: depotB } })).toBe(0);
      expect(await prisma.depot.count({ where: { id: depotB } })).toBe(0);
    } finally {
      locationsDown = false;
    }
  });

  it('refuses a site that is not a depot, or unknown, as BAD_USER_INPUT, and another vendor’s depot as FORBIDDEN', async () => {
    const vendor = ctx('VENDOR_STAFF', vendorA);
    for (const depotId of [hospitalSite, randomUUID()]) {
      expect(await failure(services.stock.setStock(vendor, { depotId, productId, onHand: 1 }))).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'input.depotId',
      });
    }
    expect(await failure(services.stock.setStock(vendor, { depotId: depotB, productId, onHand: 1 }))).toEqual(
      {
        code: 'FORBIDDEN',
      },
    );
    expect(await prisma.depot.findMany({ where: { id: { in: [hospitalSite, depotB] } } })).toEqual([
      expect.objectContaining({ id: depotB, organizationId: vendorB }),
    ]);
  });
});

/** The orders service acting for a hospital user: the only caller that may hold stock. */
const ordersFor = (role: Viewer['role'], organizationId: string) => ({
  ...ctx(role, organizationId),
  callerService: 'orders',
});

describe('reservations', () => {
  it('reserves, commits and releases with movements that add up to the stock row', async () => {
    const hospital = ordersFor('HOSPITAL_STAFF', randomUUID());
    await services.stock.setStock(ctx('VENDOR_STAFF', vendorA), {
      depotId: depotA,
      productId,
      onHand: 20,
      reorderLevel: 0,
    });
    const a = await services.reservations.reserve(hospital, {
      depotId: depotA,
      productId,
      quantity: 5,
      reference: 'a',
    });
    const b = await services.reservations.reserve(hospital, {
      depotId: depotA,
      productId,
      quantity: 4,
      reference: 'b',
    });
    expect(a).toMatchObject({ status: 'HELD', quantity: 5, vendorOrganizationId: vendorA });
    await services.reservations.commit(hospital, a.id);
    await services.reservations.release(hospital, b.id, 'changed mind');

    const level = await prisma.stockLevel.findUniqueOrThrow({
      where: { depotId_productId: { depotId: depotA, productId } },
    });
    expect(level).toMatchObject({ onHand: 15, reserved: 0 });
    const movements = await prisma.stockMovement.findMany({ where: { depotId: depotA, productId } });
    expect(movements.reduce((sum, m) => sum + m.onHandDelta, 0)).toBe(level.onHand);
    expect(movements.reduce((sum, m) => sum + m.reservedDelta, 0)).toBe(level.reserved);
    const release = movements.find((m) => m.kind === 'RELEASE');
    expect(release).toMatchObject({ reason: 'changed mind', reservationId: b.id, reservedDelta: -4 });
  });

  it('expires in batches until none is left', async () => {
    const hospital = ordersFor('HOSPITAL_ADMIN', randomUUID());
    await services.stock.setStock(ctx('VENDOR_STAFF', vendorA), { depotId: depotA, productId, onHand: 20 });
    for (let i = 0; i < 7; i++)
      await services.reservations.reserve(hospital, {
        depotId: depotA,
        productId,
        quantity: 1,
        reference: `x${i}`,
      });
    await prisma.$executeRaw`UPDATE reservations SET expires_at = now() - interval '1 minute' WHERE status = 'HELD'`;
    // Batch size 3: three transactions of 3, 3 and 1.
    expect(await services.expireReservations()).toBe(7);
    const level = await prisma.stockLevel.findUniqueOrThrow({
      where: { depotId_productId: { depotId: depotA, productId } },
    });
    expect(level.reserved).toBe(0);
    const events = await prisma.outboxEvent.findMany({ where: { type: 'stock.released', actor: null } });
    expect(events).toHaveLength(7);
    expect(events[0]!.organizationIds).toEqual([vendorA, hospital.viewer!.organizationId]);
  });
});

describe('the expiry timer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sweeps every interval, never two at once, and stop waits for a sweep in progress', async () => {
    let runs = 0;
    let finish: () => void = () => undefined;
    const sweep = () => {
      runs += 1;
      return new Promise<number>((resolve) => (finish = () => resolve(0)));
    };
    const sweeper = startReservationSweeper(sweep, 30, logger);
    await jest.advanceTimersByTimeAsync(29_000);
    expect(runs).toBe(0);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(runs).toBe(1);
    // Still running: the next tick skips instead of piling up.
    await jest.advanceTimersByTimeAsync(30_000);
    expect(runs).toBe(1);
    let stopped = false;
    const stopping = sweeper.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    finish();
    await stopping;
    await jest.advanceTimersByTimeAsync(120_000);
    expect(runs).toBe(1);
  });

  it('logs a failed sweep and keeps going', async () => {
    let runs = 0;
    const sweeper = startReservationSweeper(
      async () => {
        runs += 1;
        throw new Error('database restarting');
      },
      1,
      logger,
    );
    await jest.advanceTimersByTimeAsync(3_000);
    expect(runs).toBe(3);
    await sweeper.stop();
  });
});
