// Routing as RabbitMQ does it (the no-broker push must match the same events), and the checks an
// incoming event passes before a handler sees it.
import { randomUUID } from 'node:crypto';
import { matchesAnyBinding, matchesBinding, parseDomainEvent, parseDomainEventJson } from '@flow/messaging';
import { domainEvent } from './events.contract';

describe('matchesBinding (AMQP topic semantics)', () => {
  it.each([
    ['order.placed', 'order.placed', true],
    ['order.placed', 'order.confirmed', false],
    ['order.*', 'order.placed', true],
    ['order.*', 'order', false],
    ['order.*', 'order.placed.late', false],
    ['*.low', 'stock.low', true],
    ['#', 'stock.low', true],
    ['#', 'order', true],
    ['order.#', 'order', true],
    ['order.#', 'order.placed.late', true],
    ['order.#', 'orders.placed', false],
    ['#.low', 'stock.low', true],
    ['#.low', 'low', true],
    ['#.low', 'stock.lower', false],
    ['*.*.late', 'order.placed.late', true],
    ['order.#.late', 'order.late', true],
    ['order.#.late', 'order.a.b.late', true],
    ['order.#.late', 'order.a.b.early', false],
  ])('%s vs %s: %s', (pattern, key, expected) => {
    expect(matchesBinding(pattern, key)).toBe(expected);
  });

  it('matches when any pattern does', () => {
    const notifications = ['order.*', 'stock.low', 'payment.failed'];
    expect(matchesAnyBinding(notifications, 'payment.failed')).toBe(true);
    expect(matchesAnyBinding(notifications, 'payment.captured')).toBe(false);
    expect(matchesAnyBinding([], 'order.placed')).toBe(false);
  });
});

describe('parseDomainEvent', () => {
  it('accepts a domain event as the relay makes it', () => {
    const event = domainEvent('order.placed', { actor: null, organizationIds: [] });
    expect(parseDomainEvent(event)).toEqual({ ok: true, event });
    expect(parseDomainEventJson(Buffer.from(JSON.stringify(event)))).toEqual({ ok: true, event });
  });

  it('names what is wrong with anything else', () => {
    expect(parseDomainEventJson('{')).toEqual({ ok: false, error: 'not JSON' });
    expect(parseDomainEvent(null)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^not a domain event/),
    });
    const bad = { ...domainEvent('order.*'), id: 'x', occurredAt: 'yesterday', data: [] };
    const result = parseDomainEvent(bad);
    expect(result.ok).toBe(false);
    const error = result.ok ? '' : result.error;
    for (const field of ['id', 'type', 'occurredAt', 'data']) expect(error).toContain(`${field}:`);
    const { source: _source, ...withoutSource } = domainEvent('order.placed', { id: randomUUID() });
    expect(parseDomainEvent(withoutSource)).toMatchObject({
      ok: false,
      error: expect.stringContaining('source'),
    });
  });
});
