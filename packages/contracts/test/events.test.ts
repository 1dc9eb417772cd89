import { DOMAIN_EVENT_TYPES, EVENT_PRODUCERS, parseEvent, type DomainEventType } from '../src';
import { envelopeOf, examples } from './examples';

const types = Object.keys(examples) as DomainEventType[];

describe('every schema', () => {
  test.each(types)('%s accepts what its producer writes, typed by its type', (type) => {
    const parsed = parseEvent(envelopeOf(type, examples[type]));
    expect(parsed).toEqual({ ok: true, event: expect.objectContaining({ type, data: examples[type] }) });
  });

  test.each(types)('%s refuses empty data, naming what is missing', (type) => {
    const parsed = parseEvent(envelopeOf(type, {}));
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatch(/^data\.\w+ is missing/);
  });

  test('has a producer; there is an example of each', () => {
    expect(types.sort()).toEqual([...DOMAIN_EVENT_TYPES].sort());
    expect(Object.keys(EVENT_PRODUCERS).sort()).toEqual([...DOMAIN_EVENT_TYPES].sort());
  });
});

describe('bad payloads are refused with every problem named', () => {
  const cases: [string, DomainEventType, Record<string, unknown>, RegExp][] = [
    ['an order id that is no uuid', 'order.confirmed', { orderId: 'o-1' }, /^data\.orderId is not a uuid$/],
    ['a dispatch without a driver', 'order.dispatched', { driverId: null }, /^data\.driverId is missing$/],
    ['a blank order number', 'order.placed', { number: '  ' }, /^data\.number is not text$/],
    [
      'an amount in a lowercase currency',
      'order.placed',
      { total: { amountMinor: 1, currency: 'usd' } },
      /^data\.total\.currency is not an ISO 4217 code$/,
    ],
    ['a count that is a string', 'stock.low', { available: '3' }, /^data\.available is not an integer$/],
    ['a fraction of a cent', 'payment.failed', { amountMinor: 1.5 }, /^data\.amountMinor is not an integer$/],
    ['a time that is not one', 'invoice.paid', { paidAt: 'yesterday' }, /^data\.paidAt is not a time$/],
    ['a reason that is a number', 'organization.suspended', { reason: 42 }, /^data\.reason is not text$/],
    [
      'two problems at once',
      'stock.reserved',
      { quantity: null, stock: { ...examples['stock.reserved'].stock, onHand: 'x' } },
      /^data\.quantity is missing; data\.stock\.onHand is not an integer$/,
    ],
  ];

  test.each(cases)('%s', (_name, type, change, message) => {
    const parsed = parseEvent(envelopeOf(type, { ...examples[type], ...change }));
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatch(message);
  });

  test('an envelope without a uuid id or a time', () => {
    const event = { ...envelopeOf('order.placed', examples['order.placed']), id: 'abc', occurredAt: 'now' };
    expect(parseEvent(event)).toEqual({ ok: false, error: 'id is not a uuid; occurredAt is not a time' });
  });

  test('a type nobody produces', () => {
    expect(parseEvent(envelopeOf('order.settled', examples['order.placed']))).toEqual({
      ok: false,
      error: 'unknown event type order.settled',
    });
    expect(parseEvent(envelopeOf('toString', {})).ok).toBe(false);
  });
});

test('fields a schema does not know are dropped: consumers read only the contract', () => {
  const parsed = parseEvent(envelopeOf('stock.low', { ...examples['stock.low'], secret: 'x' }));
  expect(parsed.ok && parsed.event.data).toEqual(examples['stock.low']);
});

test('an optional field may be absent (events written before stock.low named its vendor)', () => {
  const { vendorOrganizationId: _, ...older } = examples['stock.low'];
  expect(parseEvent(envelopeOf('stock.low', older)).ok).toBe(true);
});
