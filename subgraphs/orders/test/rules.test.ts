import { randomUUID } from 'node:crypto';
import type { Role, Viewer } from '@flow/core';
import type { OrderStatus } from '../src/generated/prisma/client';
import { assertCan, canSee as canSeeOrder, visibleWhere as visibleOrdersWhere } from '../src/services/policy';
import type { Offer } from '../src/services/dependencies';
import { chooseQuote } from '../src/services/offer-selection';
import { parsePlacement, type PlaceOrderInput, type PlacementRequest } from '../src/services/placement-input';
import { requireTransition, VISIBLE_STATUSES, type Transition } from '../src/services/status-machine';

// The moves by party, as this test has always named them (src/services/policy.ts names each move).
const actors = {
  vendor: assertCan.confirm,
  hospital: assertCan.cancel,
  driver: assertCan.reportPosition,
  driverOrHospital: assertCan.deliver,
};
const requireHospitalStaff = (viewer: Viewer | null) => {
  assertCan.place(viewer);
  return viewer!;
};

const code = (c: string, extra: Record<string, unknown> = {}) =>
  expect.objectContaining({ extensions: { code: c, ...extra } });

describe('status machine', () => {
  const ALL: OrderStatus[] = [
    'PENDING',
    'PLACED',
    'CONFIRMED',
    'DISPATCHED',
    'DELIVERED',
    'REJECTED',
    'CANCELLED',
    'FAILED',
  ];
  // The orders README's status machine, written out again here so that a change to TRANSITIONS fails this test.
  const ALLOWED: [Transition, OrderStatus, OrderStatus][] = [
    ['confirm', 'PLACED', 'CONFIRMED'],
    ['reject', 'PLACED', 'REJECTED'],
    ['dispatch', 'CONFIRMED', 'DISPATCHED'],
    ['deliver', 'DISPATCHED', 'DELIVERED'],
    ['cancel', 'PLACED', 'CANCELLED'],
    ['cancel', 'CONFIRMED', 'CANCELLED'],
  ];
  const TARGET: Record<Transition, OrderStatus> = {
    confirm: 'CONFIRMED',
    reject: 'REJECTED',
    dispatch: 'DISPATCHED',
    deliver: 'DELIVERED',
    cancel: 'CANCELLED',
  };
  const ILLEGAL = (Object.keys(TARGET) as Transition[]).flatMap((transition) =>
    ALL.filter((from) => !ALLOWED.some(([t, f]) => t === transition && f === from)).map(
      (from) => [transition, from, TARGET[transition]] as const,
    ),
  );

  test.each(ALLOWED)('%s from %s goes to %s', (transition, from, to) => {
    expect(requireTransition(transition, from)).toBe(to);
  });

  test('the illegal table covers every other pair', () => {
    expect(ILLEGAL).toHaveLength(5 * ALL.length - ALLOWED.length);
  });

  test.each(ILLEGAL)(
    '%s from %s is CONFLICT naming the status and the attempted %s',
    (transition, from, to) => {
      expect(() => requireTransition(transition, from)).toThrow(
        code('CONFLICT', { status: from, attempted: to }),
      );
    },
  );

  test('clients never see the saga states', () => {
    expect([...VISIBLE_STATUSES].sort()).toEqual([
      'CANCELLED',
      'CONFIRMED',
      'DELIVERED',
      'DISPATCHED',
      'PLACED',
      'REJECTED',
    ]);
  });
});

describe('placement input', () => {
  const site = randomUUID();
  const p1 = randomUUID();
  const p2 = randomUUID();
  const valid = (overrides: Partial<PlaceOrderInput> = {}): PlaceOrderInput => ({
    siteId: site,
    items: [
      { productId: p1, quantity: 2 },
      { productId: p2, quantity: 1 },
    ],
    payment: { method: 'CARD', cardToken: 'tok_visa' },
    ...overrides,
  });
  const items = (n: number) => Array.from({ length: n }, () => ({ productId: randomUUID(), quantity: 1 }));
  const bad = (input: PlaceOrderInput, field: string) =>
    expect(() => parsePlacement(input)).toThrow(
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field } }),
    );

  test('a valid input, with priority ROUTINE by default and nothing else made up', () => {
    const request: PlacementRequest = parsePlacement(valid());
    expect(request).toEqual({
      siteId: site,
      items: [
        { productId: p1, quantity: 2 },
        { productId: p2, quantity: 1 },
      ],
      priority: 'ROUTINE',
      vendorId: null,
      depotId: null,
      notes: null,
      payment: { method: 'CARD', cardToken: 'tok_visa', purchaseOrderNumber: null },
    });
    expect(parsePlacement(valid({ priority: null })).priority).toBe('ROUTINE');
    expect(parsePlacement(valid({ priority: 'EMERGENCY' })).priority).toBe('EMERGENCY');
  });

  test('ids are normalised to lower case, notes trimmed, blank notes dropped', () => {
    const vendor = randomUUID();
    const request = parsePlacement(
      valid({
        siteId: site.toUpperCase(),
        vendorId: vendor.toUpperCase(),
        items: [{ productId: p1.toUpperCase(), quantity: 1 }],
        notes: '  ring at gate 3  ',
      }),
    );
    expect(request).toMatchObject({
      siteId: site,
      vendorId: vendor,
      items: [{ productId: p1 }],
      notes: 'ring at gate 3',
    });
    expect(parsePlacement(valid({ notes: '   ' })).notes).toBeNull();
  });

  test('an invoice takes a purchase order number', () => {
    expect(
      parsePlacement(valid({ payment: { method: 'INVOICE', purchaseOrderNumber: ' PO-7 ' } })).payment,
    ).toEqual({ method: 'INVOICE', cardToken: null, purchaseOrderNumber: 'PO-7' });
  });

  test('the limits themselves are allowed', () => {
    expect(parsePlacement(valid({ items: items(20) })).items).toHaveLength(20);
    expect(parsePlacement(valid({ items: [{ productId: p1, quantity: 1 }] })).items).toHaveLength(1);
    expect(parsePlacement(valid({ items: [{ productId: p1, quantity: 10_000 }] })).items[0]!.quantity).toBe(
      10_000,
    );
    expect(parsePlacement(valid({ notes: 'x'.repeat(1000) })).notes).toHaveLength(1000);
  });

  test.each<[string, string, Partial<PlaceOrderInput>]>([
    ['no items', 'input.items', { items: [] }],
    ['21 items', 'input.items', { items: items(21) }],
    [
      'the same product twice',
      'input.items.2.productId',
      {
        items: [
          { productId: p1, quantity: 1 },
          { productId: p2, quantity: 1 },
          { productId: p1, quantity: 3 },
        ],
      },
    ],
    [
      'the same product twice, in another case',
      'input.items.1.productId',
      {
        items: [
          { productId: p1, quantity: 1 },
          { productId: p1.toUpperCase(), quantity: 1 },
        ],
      },
    ],
    ['quantity 0', 'input.items.0.quantity', { items: [{ productId: p1, quantity: 0 }] }],
    ['quantity 10001', 'input.items.0.quantity', { items: [{ productId: p1, quantity: 10_001 }] }],
    [
      'quantity 1.5',
      'input.items.1.quantity',
      {
        items: [
          { productId: p1, quantity: 1 },
          { productId: p2, quantity: 1.5 },
        ],
      },
    ],
    ['a negative quantity', 'input.items.0.quantity', { items: [{ productId: p1, quantity: -1 }] }],
    ['a bad site id', 'input.siteId', { siteId: 'site-1' }],
    ['a bad product id', 'input.items.0.productId', { items: [{ productId: 'oxygen', quantity: 1 }] }],
    ['a bad vendor id', 'input.vendorId', { vendorId: '123' }],
    ['a bad depot id', 'input.depotId', { depotId: 'depot' }],
    ['CARD without a token', 'input.payment.cardToken', { payment: { method: 'CARD' } }],
    ['CARD with a blank token', 'input.payment.cardToken', { payment: { method: 'CARD', cardToken: '  ' } }],
    [
      'CARD with a purchase order number',
      'input.payment.purchaseOrderNumber',
      { payment: { method: 'CARD', cardToken: 'tok_visa', purchaseOrderNumber: 'PO-1' } },
    ],
    [
      'INVOICE without a purchase order',
      'input.payment.purchaseOrderNumber',
      { payment: { method: 'INVOICE' } },
    ],
    [
      'INVOICE with a card token',
      'input.payment.cardToken',
      { payment: { method: 'INVOICE', purchaseOrderNumber: 'PO-1', cardToken: 'tok_visa' } },
    ],
    [
      'an unknown payment method',
      'input.payment.method',
      { payment: { method: 'CASH' as 'CARD', cardToken: 'tok_visa' } },
    ],
    ['an unknown priority', 'input.priority', { priority: 'SOON' as 'URGENT' }],
    ['notes over 1000 characters', 'input.notes', { notes: 'x'.repeat(1001) }],
  ])('%s is BAD_USER_INPUT naming %s', (_label, field, overrides) => bad(valid(overrides), field));
});

describe('offer selection', () => {
  const vendorA = '00000000-0000-4000-8000-00000000000a';
  const vendorB = '00000000-0000-4000-8000-00000000000b';
  const depot1 = '00000000-0000-4000-8000-000000000001';
  const depot2 = '00000000-0000-4000-8000-000000000002';
  const depot3 = '00000000-0000-4000-8000-000000000003';
  const oxygen = randomUUID();
  const nitrogen = randomUUID();
  const regulator = randomUUID();

  const request = (
    lines: [string, number][],
    filters: { vendorId?: string; depotId?: string } = {},
  ): PlacementRequest => ({
    siteId: randomUUID(),
    items: lines.map(([productId, quantity]) => ({ productId, quantity })),
    priority: 'ROUTINE',
    vendorId: filters.vendorId ?? null,
    depotId: filters.depotId ?? null,
    notes: null,
    payment: { method: 'CARD', cardToken: 'tok_visa', purchaseOrderNumber: null },
  });
  const offer = (
    depotId: string,
    vendorId: string,
    productId: string,
    quantity: number,
    unitPriceMinor: number,
    extra: Partial<Offer> = {},
  ): Offer => ({
    vendorId,
    depotId,
    productId,
    quantity,
    unitPriceMinor,
    subtotalMinor: unitPriceMinor * quantity,
    deliveryFeeMinor: 1000,
    currency: 'USD',
    distanceKm: 10,
    etaMinutes: 30,
    ...extra,
  });

  test('the cheapest basket among depots that offer every line, not the cheapest line', () => {
    const req = request([
      [oxygen, 2],
      [nitrogen, 1],
    ]);
    const quote = chooseQuote(req, [
      [
        // depot3 is cheapest for oxygen but has no nitrogen: it cannot fill the order.
        offer(depot3, vendorB, oxygen, 2, 100),
        offer(depot1, vendorA, oxygen, 2, 400),
        offer(depot2, vendorB, oxygen, 2, 500),
      ],
      [offer(depot2, vendorB, nitrogen, 1, 200), offer(depot1, vendorA, nitrogen, 1, 450)],
    ]);
    // depot1: 800 + 450 + 1000 = 2250; depot2: 1000 + 200 + 1000 = 2200.
    expect(quote).toEqual({
      vendorId: vendorB,
      depotId: depot2,
      currency: 'USD',
      lines: [
        { productId: oxygen, quantity: 2, unitPriceMinor: 500, lineTotalMinor: 1000 },
        { productId: nitrogen, quantity: 1, unitPriceMinor: 200, lineTotalMinor: 200 },
      ],
      subtotalMinor: 1200,
      deliveryFeeMinor: 1000,
      totalMinor: 2200,
      distanceKm: 10,
      etaMinutes: 30,
    });
  });

  test('one delivery fee per order, whatever the number of lines', () => {
    const req = request([
      [oxygen, 1],
      [nitrogen, 1],
      [regulator, 1],
    ]);
    const cheapLinesDearFee = { deliveryFeeMinor: 500 };
    const dearLinesNoFee = { deliveryFeeMinor: 0 };
    const quote = chooseQuote(req, [
      [
        offer(depot1, vendorA, oxygen, 1, 300, dearLinesNoFee),
        offer(depot2, vendorB, oxygen, 1, 100, cheapLinesDearFee),
      ],
      [
        offer(depot1, vendorA, nitrogen, 1, 300, dearLinesNoFee),
        offer(depot2, vendorB, nitrogen, 1, 100, cheapLinesDearFee),
      ],
      [
        offer(depot1, vendorA, regulator, 1, 300, dearLinesNoFee),
        offer(depot2, vendorB, regulator, 1, 100, cheapLinesDearFee),
      ],
    ]);
    // depot2: 300 + one fee of 500 = 800 (a fee per line would make it 1800, dearer than depot1's 900).
    expect(quote).toMatchObject({
      depotId: depot2,
      subtotalMinor: 300,
      deliveryFeeMinor: 500,
      totalMinor: 800,
    });
  });

  test('a depot missing a middle line is left out', () => {
    const req = request([
      [oxygen, 1],
      [nitrogen, 1],
      [regulator, 1],
    ]);
    const quote = chooseQuote(req, [
      [offer(depot1, vendorA, oxygen, 1, 10), offer(depot2, vendorB, oxygen, 1, 900)],
      [offer(depot2, vendorB, nitrogen, 1, 900)],
      [offer(depot1, vendorA, regulator, 1, 10), offer(depot2, vendorB, regulator, 1, 900)],
    ]);
    expect(quote.depotId).toBe(depot2);
  });

  test('a depot listed twice for one line and missing another is left out', () => {
    const req = request([
      [oxygen, 1],
      [nitrogen, 1],
    ]);
    const quote = chooseQuote(req, [
      [
        offer(depot1, vendorA, oxygen, 1, 10),
        offer(depot1, vendorA, oxygen, 1, 10),
        offer(depot2, vendorB, oxygen, 1, 900),
      ],
      [offer(depot2, vendorB, nitrogen, 1, 900)],
    ]);
    expect(quote.depotId).toBe(depot2);
    expect(quote.lines.map((l) => l.productId)).toEqual([oxygen, nitrogen]);
  });

  test('vendorId keeps to that vendor, even when another is cheaper', () => {
    const lines = [
      [
        offer(depot1, vendorA, oxygen, 1, 100),
        offer(depot2, vendorB, oxygen, 1, 900),
        offer(depot3, vendorB, oxygen, 1, 800),
      ],
    ];
    expect(chooseQuote(request([[oxygen, 1]]), lines).depotId).toBe(depot1);
    expect(chooseQuote(request([[oxygen, 1]], { vendorId: vendorB }), lines).depotId).toBe(depot3);
  });

  test('depotId keeps to that depot, even when another of the vendor is cheaper', () => {
    const lines = [[offer(depot2, vendorB, oxygen, 1, 900), offer(depot3, vendorB, oxygen, 1, 800)]];
    const quote = chooseQuote(request([[oxygen, 1]], { vendorId: vendorB, depotId: depot2 }), lines);
    expect(quote).toMatchObject({ vendorId: vendorB, depotId: depot2, totalMinor: 1900 });
    expect(chooseQuote(request([[oxygen, 1]], { depotId: depot2 }), lines).depotId).toBe(depot2);
  });

  test('a tie goes to the nearer depot', () => {
    const quote = chooseQuote(request([[oxygen, 1]]), [
      [
        offer(depot1, vendorA, oxygen, 1, 500, { distanceKm: 30 }),
        offer(depot2, vendorB, oxygen, 1, 500, { distanceKm: 5 }),
        offer(depot3, vendorB, oxygen, 1, 500, { distanceKm: 12 }),
      ],
    ]);
    expect(quote.depotId).toBe(depot2);
  });

  test('a tie at the same distance goes to the lower depot id, in any input order', () => {
    const a = offer(depot3, vendorB, oxygen, 1, 500);
    const b = offer(depot1, vendorA, oxygen, 1, 500);
    const c = offer(depot2, vendorB, oxygen, 1, 500);
    expect(chooseQuote(request([[oxygen, 1]]), [[a, b, c]]).depotId).toBe(depot1);
    expect(chooseQuote(request([[oxygen, 1]]), [[c, a, b]]).depotId).toBe(depot1);
  });

  test('no depot with every line is OUT_OF_STOCK', () => {
    const req = request([
      [oxygen, 1],
      [nitrogen, 1],
    ]);
    expect(() =>
      chooseQuote(req, [
        [offer(depot1, vendorA, oxygen, 1, 100)],
        [offer(depot2, vendorB, nitrogen, 1, 100)],
      ]),
    ).toThrow(code('OUT_OF_STOCK', { vendorId: null, depotId: null }));
    expect(() => chooseQuote(req, [[], []])).toThrow(code('OUT_OF_STOCK', { vendorId: null, depotId: null }));
  });

  test('nothing from the asked vendor or depot is OUT_OF_STOCK naming them', () => {
    const lines = [[offer(depot1, vendorA, oxygen, 1, 100)]];
    expect(() => chooseQuote(request([[oxygen, 1]], { vendorId: vendorB }), lines)).toThrow(
      code('OUT_OF_STOCK', { vendorId: vendorB, depotId: null }),
    );
    expect(() => chooseQuote(request([[oxygen, 1]], { vendorId: vendorA, depotId: depot2 }), lines)).toThrow(
      code('OUT_OF_STOCK', { vendorId: vendorA, depotId: depot2 }),
    );
  });
});

describe('access', () => {
  const hospitalOrg = randomUUID();
  const vendorOrg = randomUUID();
  const driverId = randomUUID();
  const viewer = (role: Role, organizationId: string, userId: string = randomUUID()): Viewer => ({
    userId,
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
  const order = (status: OrderStatus = 'PLACED', assigned: string | null = driverId) => ({
    status,
    hospitalOrganizationId: hospitalOrg,
    vendorOrganizationId: vendorOrg,
    driverId: assigned,
  });

  const parties: [string, boolean, Viewer][] = [
    ['hospital staff of the ordering hospital', true, viewer('HOSPITAL_STAFF', hospitalOrg)],
    ['a hospital admin of the ordering hospital', true, viewer('HOSPITAL_ADMIN', hospitalOrg)],
    ['hospital staff of another hospital', false, viewer('HOSPITAL_STAFF', randomUUID())],
    ['a hospital admin of another hospital', false, viewer('HOSPITAL_ADMIN', randomUUID())],
    ['vendor staff of the vendor', true, viewer('VENDOR_STAFF', vendorOrg)],
    ['a vendor admin of the vendor', true, viewer('VENDOR_ADMIN', vendorOrg)],
    ['vendor staff of another vendor', false, viewer('VENDOR_STAFF', randomUUID())],
    ['a vendor admin of another vendor', false, viewer('VENDOR_ADMIN', randomUUID())],
    ['the assigned driver', true, viewer('DRIVER', vendorOrg, driverId)],
    ['another driver of the same vendor', false, viewer('DRIVER', vendorOrg)],
    ['a vendor role in the hospital organization', false, viewer('VENDOR_ADMIN', hospitalOrg)],
    ['a hospital role in the vendor organization', false, viewer('HOSPITAL_ADMIN', vendorOrg)],
    ['a partner client of the hospital', false, viewer('PARTNER', hospitalOrg)],
    ['a platform admin', true, viewer('PLATFORM_ADMIN', randomUUID())],
  ];

  test.each(parties)('%s sees the order: %s', (_label, sees, who) => {
    for (const status of VISIBLE_STATUSES) expect(canSeeOrder(who, order(status))).toBe(sees);
  });

  test.each(['PENDING', 'FAILED'] as const)('nobody sees a %s order, not even a platform admin', (status) => {
    for (const [, , who] of parties) expect(canSeeOrder(who, order(status))).toBe(false);
  });

  test('nobody signed out sees anything; a driver sees nothing before dispatch', () => {
    expect(canSeeOrder(null, order())).toBe(false);
    const driver = viewer('DRIVER', vendorOrg, driverId);
    expect(canSeeOrder(driver, order('CONFIRMED', null))).toBe(false);
  });

  test('visibleOrdersWhere scopes each role to its own orders, and only visible statuses', () => {
    const visible = { status: { in: [...VISIBLE_STATUSES] } };
    const staff = viewer('HOSPITAL_STAFF', hospitalOrg);
    expect(visibleOrdersWhere(staff)).toEqual({ ...visible, hospitalOrganizationId: hospitalOrg });
    expect(visibleOrdersWhere(viewer('HOSPITAL_ADMIN', hospitalOrg))).toEqual({
      ...visible,
      hospitalOrganizationId: hospitalOrg,
    });
    expect(visibleOrdersWhere(viewer('VENDOR_STAFF', vendorOrg))).toEqual({
      ...visible,
      vendorOrganizationId: vendorOrg,
    });
    expect(visibleOrdersWhere(viewer('VENDOR_ADMIN', vendorOrg))).toEqual({
      ...visible,
      vendorOrganizationId: vendorOrg,
    });
    expect(visibleOrdersWhere(viewer('DRIVER', vendorOrg, driverId))).toEqual({ ...visible, driverId });
    expect(visibleOrdersWhere(viewer('PLATFORM_ADMIN', randomUUID()))).toEqual(visible);
    expect(visibleOrdersWhere(viewer('PARTNER', hospitalOrg))).toEqual({ ...visible, id: { in: [] } });
    expect(visible.status.in).not.toContain('PENDING');
    expect(visible.status.in).not.toContain('FAILED');
  });

  test('only hospital staff place orders', () => {
    expect(requireHospitalStaff(viewer('HOSPITAL_STAFF', hospitalOrg)).organizationId).toBe(hospitalOrg);
    expect(() => requireHospitalStaff(viewer('VENDOR_ADMIN', vendorOrg))).toThrow(code('FORBIDDEN'));
    expect(() => requireHospitalStaff(viewer('PLATFORM_ADMIN', randomUUID()))).toThrow(code('FORBIDDEN'));
    expect(() => requireHospitalStaff(null)).toThrow(code('UNAUTHENTICATED'));
  });

  test('each move is for its party only', () => {
    const hospital = viewer('HOSPITAL_STAFF', hospitalOrg);
    const vendor = viewer('VENDOR_STAFF', vendorOrg);
    const driver = viewer('DRIVER', vendorOrg, driverId);
    const otherDriver = viewer('DRIVER', vendorOrg);
    const admin = viewer('PLATFORM_ADMIN', randomUUID());
    const o = order('DISPATCHED');
    expect(() => actors.vendor(vendor, o)).not.toThrow();
    for (const who of [hospital, driver, admin])
      expect(() => actors.vendor(who, o)).toThrow(code('FORBIDDEN'));
    expect(() => actors.hospital(hospital, o)).not.toThrow();
    for (const who of [vendor, driver, admin])
      expect(() => actors.hospital(who, o)).toThrow(code('FORBIDDEN'));
    expect(() => actors.driver(driver, o)).not.toThrow();
    for (const who of [otherDriver, vendor, hospital])
      expect(() => actors.driver(who, o)).toThrow(code('FORBIDDEN'));
    expect(() => actors.driverOrHospital(driver, o)).not.toThrow();
    expect(() => actors.driverOrHospital(hospital, o)).not.toThrow();
    for (const who of [otherDriver, vendor, admin])
      expect(() => actors.driverOrHospital(who, o)).toThrow(code('FORBIDDEN'));
  });
});

describe('partners (client applications): their organization, within their scopes', () => {
  const hospitalOrg = randomUUID();
  const vendorOrg = randomUUID();
  const partner = (
    organizationKind: 'HOSPITAL' | 'VENDOR',
    organizationId: string,
    scopes: string[],
  ): Viewer => {
    const id = randomUUID();
    return {
      userId: id,
      organizationId,
      organizationKind,
      role: 'PARTNER',
      scopes: ['role:PARTNER', ...scopes],
      tokenId: undefined,
      clientApplication: { id, name: 'hospital-erp' },
    };
  };
  const o = {
    status: 'PLACED' as OrderStatus,
    hospitalOrganizationId: hospitalOrg,
    vendorOrganizationId: vendorOrg,
    driverId: null,
  };
  const visible = { status: { in: [...VISIBLE_STATUSES] } };

  test("a hospital's partner with orders:read sees and lists its hospital's orders only", () => {
    const reader = partner('HOSPITAL', hospitalOrg, ['orders:read']);
    expect(canSeeOrder(reader, o)).toBe(true);
    expect(visibleOrdersWhere(reader)).toEqual({ ...visible, hospitalOrganizationId: hospitalOrg });
    const elsewhere = partner('HOSPITAL', randomUUID(), ['orders:read', 'orders:write']);
    expect(canSeeOrder(elsewhere, o)).toBe(false);
    // No orders:read, nothing: a catalog-only integration lists no orders.
    const catalogOnly = partner('HOSPITAL', hospitalOrg, ['catalog:read']);
    expect(canSeeOrder(catalogOnly, o)).toBe(false);
    expect(visibleOrdersWhere(catalogOnly)).toEqual({ ...visible, id: { in: [] } });
  });

  test('placing and the hospital moves need orders:write', () => {
    const writer = partner('HOSPITAL', hospitalOrg, ['orders:read', 'orders:write']);
    expect(requireHospitalStaff(writer)).toBe(writer);
    expect(() => actors.hospital(writer, o)).not.toThrow();
    const reader = partner('HOSPITAL', hospitalOrg, ['orders:read']);
    expect(() => requireHospitalStaff(reader)).toThrow(code('FORBIDDEN'));
    expect(() => actors.hospital(reader, o)).toThrow(code('FORBIDDEN'));
    expect(() => actors.driverOrHospital(reader, o)).toThrow(code('FORBIDDEN'));
  });

  test("a vendor's partner reads its vendor's orders and makes no move, places no order", () => {
    const vendorPartner = partner('VENDOR', vendorOrg, ['orders:read', 'orders:write']);
    expect(canSeeOrder(vendorPartner, o)).toBe(true);
    expect(visibleOrdersWhere(vendorPartner)).toEqual({ ...visible, vendorOrganizationId: vendorOrg });
    expect(() => actors.vendor(vendorPartner, o)).toThrow(code('FORBIDDEN'));
    expect(() => requireHospitalStaff(vendorPartner)).toThrow(code('FORBIDDEN'));
  });
});
