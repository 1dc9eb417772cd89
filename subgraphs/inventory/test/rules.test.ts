import type { Caller, Viewer } from '@flow/core';
import { parseInventoryConfig } from '../src/env';
import { optionalPositive, requireDelta, requireHoldSeconds, requireUnits } from '../src/services/input';
import { changeActor, reservingOrganization } from '../src/services/actor';
import { assertCan, canSee } from '../src/services/policy';
import { availableOf, crossedBelowReorderLevel, isBelowReorderLevel } from '../src/services/stock-math';

// The pure rules of the services: stock arithmetic, input bounds, who may do what, configuration.

const viewer = (role: Viewer['role'], organizationId = 'org-a'): Viewer => ({
  userId: 'user-1',
  organizationId,
  organizationKind: role.startsWith('HOSPITAL')
    ? 'HOSPITAL'
    : role === 'PLATFORM_ADMIN'
      ? 'PLATFORM'
      : 'VENDOR',
  role,
  scopes: [],
  tokenId: undefined,
});

// The rules under the names this test has always used (src/services/policy.ts names each action).
const requirePlatformAdmin = assertCan.changeCatalog;
const requireVendorStaff = assertCan.changeStock;
const requireReleaser = assertCan.release;
const requireOrdersService = (caller: Caller, action: 'reserve' | 'commit' | 'list') =>
  assertCan[action === 'list' ? 'listHeld' : action](caller);
const mayManageReservation = canSee;
const canManageReservation = (viewer: Viewer | null, parties: Parameters<typeof canSee>[1]) =>
  canSee({ viewer, callerService: null }, parties);

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'OK';
  } catch (error) {
    return (error as { extensions?: { code?: string; field?: string } }).extensions;
  }
};

describe('stock arithmetic', () => {
  it('computes what is available and whether it is below the reorder level', () => {
    expect(availableOf({ onHand: 10, reserved: 4 })).toBe(6);
    expect(isBelowReorderLevel({ onHand: 10, reserved: 4, reorderLevel: 6 })).toBe(false);
    expect(isBelowReorderLevel({ onHand: 10, reserved: 5, reorderLevel: 6 })).toBe(true);
  });

  it('reports a crossing below the reorder level once, not while it stays low', () => {
    const level = (onHand: number, reserved: number, reorderLevel = 5) => ({
      onHand,
      reserved,
      reorderLevel,
    });
    expect(crossedBelowReorderLevel(level(10, 0), level(10, 6))).toBe(true);
    expect(crossedBelowReorderLevel(level(10, 6), level(10, 7))).toBe(false);
    expect(crossedBelowReorderLevel(level(10, 6), level(20, 6))).toBe(false);
    // Raising the reorder level above what is available is a crossing too.
    expect(crossedBelowReorderLevel(level(10, 0, 5), level(10, 0, 11))).toBe(true);
    expect(crossedBelowReorderLevel(level(0, 0, 0), level(0, 0, 0))).toBe(false);
  });
});

describe('input bounds', () => {
  it('takes whole unit counts within range and names the field otherwise', () => {
    expect(requireUnits(0, 'input.onHand')).toBe(0);
    expect(codeOf(() => requireUnits(-1, 'input.onHand'))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.onHand',
    });
    expect(codeOf(() => requireUnits(1.5, 'input.onHand'))).toMatchObject({ field: 'input.onHand' });
    expect(codeOf(() => requireUnits(0, 'input.quantity', 1))).toMatchObject({ field: 'input.quantity' });
    expect(codeOf(() => requireUnits(1_000_001, 'input.onHand'))).toMatchObject({ field: 'input.onHand' });
  });

  it('takes non-zero deltas, hold times up to the maximum, positive capacities', () => {
    expect(requireDelta(-3, 'input.delta')).toBe(-3);
    expect(codeOf(() => requireDelta(0, 'input.delta'))).toMatchObject({ field: 'input.delta' });
    expect(requireHoldSeconds(undefined, 'input.holdSeconds', 604_800)).toBe(900);
    expect(requireHoldSeconds(604_800, 'input.holdSeconds', 604_800)).toBe(604_800);
    expect(codeOf(() => requireHoldSeconds(0, 'input.holdSeconds', 604_800))).toMatchObject({
      field: 'input.holdSeconds',
    });
    expect(optionalPositive(null, 'input.capacityLiters', 10)).toBeNull();
    expect(codeOf(() => optionalPositive(Number.NaN, 'input.capacityLiters', 10))).toMatchObject({
      field: 'input.capacityLiters',
    });
  });
});

describe('permissions', () => {
  it('lets only platform admins change the catalog', () => {
    expect(codeOf(() => requirePlatformAdmin(viewer('PLATFORM_ADMIN')))).toBe('OK');
    for (const role of ['VENDOR_ADMIN', 'HOSPITAL_ADMIN', 'DRIVER'] as const)
      expect(codeOf(() => requirePlatformAdmin(viewer(role)))).toEqual({ code: 'FORBIDDEN' });
    expect(codeOf(() => requirePlatformAdmin(null))).toEqual({ code: 'UNAUTHENTICATED' });
  });

  it('lets only vendor staff change stock', () => {
    expect(codeOf(() => requireVendorStaff(viewer('VENDOR_STAFF')))).toBe('OK');
    expect(codeOf(() => requireVendorStaff(viewer('DRIVER')))).toEqual({ code: 'FORBIDDEN' });
    expect(codeOf(() => requireVendorStaff(viewer('PLATFORM_ADMIN')))).toEqual({ code: 'FORBIDDEN' });
  });

  it('lets only the orders service reserve, commit and list holds, whoever it acts for', () => {
    for (const action of ['reserve', 'commit', 'list'] as const) {
      expect(codeOf(() => requireOrdersService({ viewer: null, callerService: 'orders' }, action))).toBe(
        'OK',
      );
      expect(
        codeOf(() => requireOrdersService({ viewer: viewer('DRIVER'), callerService: 'orders' }, action)),
      ).toBe('OK');
      for (const role of ['HOSPITAL_STAFF', 'HOSPITAL_ADMIN', 'VENDOR_ADMIN', 'PLATFORM_ADMIN'] as const)
        expect(
          codeOf(() => requireOrdersService({ viewer: viewer(role), callerService: null }, action)),
        ).toEqual({ code: 'FORBIDDEN' });
      expect(codeOf(() => requireOrdersService({ viewer: null, callerService: 'payments' }, action))).toEqual(
        {
          code: 'UNAUTHENTICATED',
        },
      );
    }
  });

  it('lets the orders service and platform admins release, nobody else', () => {
    expect(codeOf(() => requireReleaser({ viewer: null, callerService: 'orders' }))).toBe('OK');
    expect(codeOf(() => requireReleaser({ viewer: viewer('PLATFORM_ADMIN'), callerService: null }))).toBe(
      'OK',
    );
    for (const role of ['HOSPITAL_STAFF', 'VENDOR_ADMIN', 'DRIVER'] as const)
      expect(codeOf(() => requireReleaser({ viewer: viewer(role), callerService: null }))).toEqual({
        code: 'FORBIDDEN',
      });
    expect(codeOf(() => requireReleaser({ viewer: null, callerService: null }))).toEqual({
      code: 'UNAUTHENTICATED',
    });
  });

  it('lets the parties to a reservation see it', () => {
    const parties = { organizationId: 'hospital-org', vendorOrganizationId: 'vendor-org' };
    expect(canManageReservation(viewer('HOSPITAL_STAFF', 'hospital-org'), parties)).toBe(true);
    expect(canManageReservation(viewer('VENDOR_STAFF', 'vendor-org'), parties)).toBe(true);
    expect(canManageReservation(viewer('PLATFORM_ADMIN', 'platform'), parties)).toBe(true);
    expect(canManageReservation(viewer('DRIVER', 'vendor-org'), parties)).toBe(false);
    expect(canManageReservation(viewer('HOSPITAL_ADMIN', 'other-hospital'), parties)).toBe(false);
    expect(canManageReservation(viewer('VENDOR_ADMIN', 'other-vendor'), parties)).toBe(false);
    expect(canManageReservation(null, parties)).toBe(false);
  });

  it('lets the orders service see any reservation, with or without a user', () => {
    const parties = { organizationId: 'hospital-org', vendorOrganizationId: 'vendor-org' };
    expect(mayManageReservation({ viewer: null, callerService: 'orders' }, parties)).toBe(true);
    expect(
      mayManageReservation({ viewer: viewer('DRIVER', 'vendor-org'), callerService: 'orders' }, parties),
    ).toBe(true);
    expect(mayManageReservation({ viewer: null, callerService: 'payments' }, parties)).toBe(false);
    expect(
      mayManageReservation({ viewer: viewer('DRIVER', 'vendor-org'), callerService: null }, parties),
    ).toBe(false);
  });

  it('decides whose a new hold is', () => {
    const own = '0b3c5a0e-8a4d-4d2e-9b1f-3a7c2d1e0f01';
    const other = '7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
    const as = (role: Viewer['role'] | null, callerService: string | null = null) => ({
      viewer: role ? viewer(role, own) : null,
      callerService,
    });
    expect(reservingOrganization(as('HOSPITAL_STAFF', 'orders'), own.toUpperCase())).toBe(own);
    expect(reservingOrganization(as('DRIVER', 'orders'), other)).toBe(other);
    expect(reservingOrganization(as('HOSPITAL_STAFF', 'orders'), null)).toBe(own);
    expect(reservingOrganization(as(null, 'orders'), other)).toBe(other);
    expect(codeOf(() => reservingOrganization(as(null, 'orders'), null))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.organizationId',
    });
    expect(codeOf(() => reservingOrganization(as(null, 'orders'), 'nope'))).toMatchObject({
      field: 'input.organizationId',
    });
  });

  it('records the orders service as the actor when it acts without a user', () => {
    expect(codeOf(() => requireHoldSeconds(604_801, 'input.holdSeconds', 604_800))).toMatchObject({
      field: 'input.holdSeconds',
    });
    expect(changeActor({ viewer: null, callerService: 'orders' })).toEqual({
      userId: null,
      event: 'service:orders',
    });
    expect(changeActor({ viewer: viewer('DRIVER'), callerService: 'orders' })).toEqual({
      userId: 'user-1',
      event: 'user-1',
    });
  });
});

describe('configuration', () => {
  it('defaults the sweep to every 30 s and names bad variables', () => {
    const config = parseInventoryConfig({ DATABASE_URL: 'postgresql://db/flow' });
    expect(config.sweep).toEqual({ intervalSeconds: 30, batchSize: 200 });
    expect(config.subgraphUrls.locations).toBe('http://127.0.0.1:8003/graphql');
    expect(config.port).toBe(8004);
    expect(() => parseInventoryConfig({ RESERVATION_SWEEP_SECONDS: '0' })).toThrow(
      /RESERVATION_SWEEP_SECONDS/,
    );
    expect(() => parseInventoryConfig({ FLOW_ENV: 'production' })).toThrow(
      /ROUTER_SIGNING_SECRET[\s\S]*DATABASE_URL/,
    );
  });
});
