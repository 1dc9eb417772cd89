import { randomUUID } from 'node:crypto';
import { isPermanentEventError } from '@flow/messaging';
import {
  formatMoney,
  MalformedEventError,
  planNotifications,
  type PlannedNotification,
} from '../src/services/rules';
import { newOrder, orderEvent, organizationEvent, paymentFailedEvent, stockLowEvent } from './support';

const hospital = randomUUID();
const vendor = randomUUID();
const UUID_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-/i;

function plan(event: Parameters<typeof planNotifications>[0]): PlannedNotification[] {
  const planned = planNotifications(event);
  if (planned === null) throw new Error(`${event.type} was ignored`);
  for (const n of planned) {
    expect(n.title).not.toMatch(UUID_IN_TEXT);
    expect(n.body).not.toMatch(UUID_IN_TEXT);
  }
  return planned;
}

describe('order events', () => {
  const order = newOrder(hospital, vendor);

  test.each([
    ['order.placed', 'ORDER_PLACED', vendor, `New order ${order.number}`],
    ['order.confirmed', 'ORDER_CONFIRMED', hospital, `Order ${order.number} was confirmed`],
    ['order.rejected', 'ORDER_REJECTED', hospital, `Order ${order.number} was rejected`],
    ['order.delivered', 'ORDER_DELIVERED', hospital, `Order ${order.number} was delivered`],
    ['order.cancelled', 'ORDER_CANCELLED', vendor, `Order ${order.number} was cancelled`],
  ])('%s -> %s for one organization', (type, notificationType, audience, title) => {
    expect(plan(orderEvent(type, order))).toEqual([
      expect.objectContaining({
        type: notificationType,
        title,
        organizationId: audience,
        userId: null,
        orderId: order.orderId,
        depotId: null,
        productId: null,
      }),
    ]);
  });

  test('order.placed tells the vendor what is waiting: priority and total', () => {
    const [routine] = plan(orderEvent('order.placed', order));
    expect(routine!.body).toBe('A routine order of USD 125.00 is waiting for your confirmation.');
    const [emergency] = plan(
      orderEvent('order.placed', order, {
        priority: 'EMERGENCY',
        total: { amountMinor: 9900, currency: 'EUR' },
      }),
    );
    expect(emergency!.title).toBe(`New emergency order ${order.number}`);
    expect(emergency!.body).toBe('An emergency order of EUR 99.00 is waiting for your confirmation.');
    const [bare] = plan(orderEvent('order.placed', order, { priority: undefined, total: undefined }));
    expect(bare!.body).toBe('A new order is waiting for your confirmation.');
  });

  test('order.dispatched tells the hospital, and the assigned driver personally', () => {
    const driverId = randomUUID();
    const planned = plan(orderEvent('order.dispatched', { ...order, driverId }, { priority: 'URGENT' }));
    expect(planned).toEqual([
      expect.objectContaining({ type: 'ORDER_DISPATCHED', organizationId: hospital, userId: null }),
      expect.objectContaining({
        type: 'DELIVERY_ASSIGNED',
        organizationId: null,
        userId: driverId,
        orderId: order.orderId,
        title: `Urgent delivery ${order.number} assigned to you`,
      }),
    ]);
  });

  test('the reason a party gave is passed on, tidied and cut short', () => {
    const [rejected] = plan(orderEvent('order.rejected', order, { reason: '  out of\n cylinders ' }));
    expect(rejected!.body).toBe('The vendor turned down your order. Reason: out of cylinders');
    const [cancelled] = plan(orderEvent('order.cancelled', order, { reason: 'x'.repeat(1000) }));
    expect(cancelled!.body.length).toBeLessThan(400);
    expect(cancelled!.body).toMatch(/x…$/);
  });
});

describe('stock.low', () => {
  test('goes to the vendor (the event its only organization), with the counts in the title', () => {
    const event = stockLowEvent(vendor, { onHand: 7, reserved: 4 });
    expect(plan(event)).toEqual([
      {
        type: 'STOCK_LOW',
        title: 'Stock low: 3 left (reorder level 5)',
        body: 'Available stock of a product at one of your depots fell below its reorder level (7 on hand). Restock it to keep taking orders.',
        organizationId: vendor,
        userId: null,
        orderId: null,
        depotId: event.data.depotId,
        productId: event.data.productId,
      },
    ]);
  });

  test('a vendorOrganizationId in the data is used when present', () => {
    const event = stockLowEvent(vendor);
    const withVendor = {
      ...event,
      organizationIds: [vendor, hospital],
      data: { ...event.data, vendorOrganizationId: vendor },
    };
    expect(plan(withVendor)[0]!.organizationId).toBe(vendor);
  });
});

describe('payment.failed', () => {
  test('goes to the paying hospital (first of organizationIds) about the order', () => {
    const event = paymentFailedEvent(hospital, vendor);
    expect(plan(event)).toEqual([
      expect.objectContaining({
        type: 'PAYMENT_FAILED',
        title: 'Card payment of USD 125.00 failed',
        body: 'The card was declined. Try again with another card or pay by invoice.',
        organizationId: hospital,
        userId: null,
        orderId: event.data.orderId,
      }),
    ]);
  });

  test('a provider that did not answer reads differently from a decline', () => {
    const [timeout] = plan(paymentFailedEvent(hospital, vendor, 'provider_timeout'));
    expect(timeout!.body).toMatch(/did not answer/);
  });
});

describe('organization events', () => {
  const organization = randomUUID();
  const aboutItself = {
    organizationId: organization,
    userId: null,
    orderId: null,
    depotId: null,
    productId: null,
  };

  test('organization.approved tells a vendor it can now receive orders', () => {
    expect(plan(organizationEvent('organization.approved', organization))).toEqual([
      {
        type: 'ORGANIZATION_APPROVED',
        title: 'Your organization was approved',
        body: 'AirLife Oxygen Supply can now receive orders. Hospitals see your offers for the products you stock and price at your depots.',
        ...aboutItself,
      },
    ]);
  });

  test('approving a suspended organization reads as a reinstatement', () => {
    const [vendor] = plan(
      organizationEvent('organization.approved', organization, { previousStatus: 'SUSPENDED' }),
    );
    expect(vendor).toMatchObject({
      title: 'Your organization was reinstated',
      body: 'AirLife Oxygen Supply is active again and can receive orders.',
    });
    const [hospital] = plan(
      organizationEvent('organization.approved', organization, {
        name: 'St. Mary General Hospital',
        kind: 'HOSPITAL',
        previousStatus: 'SUSPENDED',
      }),
    );
    expect(hospital!.body).toBe(
      'St. Mary General Hospital is active again and can place orders with vendors.',
    );
  });

  test('without a name or a known kind the text stays general', () => {
    const [approved] = plan(
      organizationEvent('organization.approved', organization, { name: undefined, kind: 'PARTNER' }),
    );
    expect(approved!.body).toBe('Your organization is active.');
  });

  test('organization.suspended gives the reason, tidied and cut short', () => {
    expect(plan(organizationEvent('organization.suspended', organization))).toEqual([
      {
        type: 'ORGANIZATION_SUSPENDED',
        title: 'Your organization was suspended',
        body:
          'A platform admin suspended AirLife Oxygen Supply: its users cannot sign in and it receives no orders ' +
          'until it is reinstated. Reason: Expired oxygen supply licence',
        ...aboutItself,
      },
    ]);
    const [long] = plan(
      organizationEvent('organization.suspended', organization, {
        kind: 'HOSPITAL',
        reason: ` ${'x'.repeat(1000)}`,
      }),
    );
    expect(long!.body).toMatch(/cannot sign in until it is reinstated\. Reason: x+…$/);
    expect(long!.body.length).toBeLessThan(500);
    const [noReason] = plan(organizationEvent('organization.suspended', organization, { reason: null }));
    expect(noReason!.body).toMatch(/until it is reinstated\.$/);
  });

  test('organization.registered makes nothing (not bound)', () => {
    expect(planNotifications(organizationEvent('organization.registered', organization))).toBeNull();
  });
});

test('unknown event types are ignored, even malformed ones', () => {
  expect(planNotifications({ ...orderEvent('order.settled', newOrder(hospital, vendor)) })).toBeNull();
  expect(
    planNotifications({
      id: 'nope',
      type: 'review.submitted',
      occurredAt: '',
      organizationIds: [],
      data: {},
    }),
  ).toBeNull();
  expect(planNotifications({ ...stockLowEvent(vendor), type: 'toString' })).toBeNull();
});

describe('malformed events of a known type throw, naming what is wrong', () => {
  const order = newOrder(hospital, vendor);
  const cases: [string, Parameters<typeof planNotifications>[0], RegExp][] = [
    [
      'no vendor',
      orderEvent('order.placed', order, { vendorOrganizationId: undefined }),
      /data.vendorOrganizationId is missing/,
    ],
    ['no order id', orderEvent('order.confirmed', order, { orderId: null }), /data.orderId is missing/],
    [
      'a bad hospital id',
      orderEvent('order.delivered', order, { hospitalOrganizationId: 'h1' }),
      /data.hospitalOrganizationId is not a uuid/,
    ],
    ['no number', orderEvent('order.confirmed', order, { number: '' }), /data.number is not text/],
    ['dispatched without a driver', orderEvent('order.dispatched', order), /data.driverId is missing/],
    ['a bad event id', { ...orderEvent('order.placed', order), id: 'abc' }, /id is not a uuid/],
    [
      'a bad time',
      { ...orderEvent('order.placed', order), occurredAt: 'yesterday' },
      /occurredAt is not a time/,
    ],
    [
      'an audience outside organizationIds',
      { ...orderEvent('order.placed', order), organizationIds: [hospital] },
      /organizationIds does not include data.vendorOrganizationId/,
    ],
    [
      'stock without a depot',
      { ...stockLowEvent(vendor), data: { ...stockLowEvent(vendor).data, depotId: undefined } },
      /data.depotId is missing/,
    ],
    [
      'stock for several organizations',
      { ...stockLowEvent(vendor), organizationIds: [vendor, hospital] },
      /exactly one organization/,
    ],
    [
      'stock counts that are not integers',
      { ...stockLowEvent(vendor), data: { ...stockLowEvent(vendor).data, available: '3' } },
      /data.available is not an integer/,
    ],
    [
      'a payment for nobody',
      { ...paymentFailedEvent(hospital, vendor), organizationIds: [] },
      /organizationIds is empty/,
    ],
    [
      'an approval of no organization',
      organizationEvent('organization.approved', vendor, { organizationId: undefined }),
      /data.organizationId is missing/,
    ],
    [
      'a suspension of another organization than the event is for',
      { ...organizationEvent('organization.suspended', vendor), organizationIds: [hospital] },
      /organizationIds does not include data.organizationId/,
    ],
    [
      'a reason that is not text',
      organizationEvent('organization.suspended', vendor, { reason: 42 }),
      /data.reason is not text/,
    ],
    [
      'a bad currency',
      orderEvent('order.placed', order, { total: { amountMinor: 1, currency: 'usd' } }),
      /data.total.currency is not an ISO 4217 code/,
    ],
  ];

  test.each(cases)('%s', (_name, event, message) => {
    let thrown: unknown;
    try {
      planNotifications(event);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MalformedEventError);
    // The bus dead-letters it at once instead of retrying what can never succeed.
    expect(isPermanentEventError(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).toContain(event.type);
  });
});

test('money is shown in the currency minor unit', () => {
  expect(formatMoney(123456, 'USD')).toBe('USD 1,234.56');
  expect(formatMoney(1500, 'JPY')).toBe('JPY 1,500');
});
