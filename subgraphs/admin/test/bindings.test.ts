import { randomUUID } from 'node:crypto';
import { DOMAIN_EVENT_TYPES } from '@flow/contracts';
import { consumedEventTypes, matchesAnyBinding } from '@flow/messaging';
import { projectionsOf } from '../src/services/projections';

// The compiler holds the projections to the catalog (ConsumerHandlers<'admin'> over `#`: every
// type); this checks the runtime side: the queue's bindings route every type there is, and every
// type has a rule (a type with no rule would be `null`, "unknown to this build").
test('admin is bound to every domain event type, and has a rule for each', () => {
  expect(consumedEventTypes('admin')).toEqual(['#']);
  for (const type of DOMAIN_EVENT_TYPES) {
    expect([type, matchesAnyBinding(consumedEventTypes('admin'), type)]).toEqual([type, true]);
    // Empty data: a known type fails its schema (a rule exists); an unknown one would be null.
    expect(() =>
      projectionsOf({
        id: randomUUID(),
        type,
        occurredAt: new Date().toISOString(),
        organizationIds: [],
        data: {},
      }),
    ).toThrow(/malformed/);
  }
});

test('a routing key of a type added later is routed too', () => {
  expect(matchesAnyBinding(consumedEventTypes('admin'), 'review.submitted')).toBe(true);
});
