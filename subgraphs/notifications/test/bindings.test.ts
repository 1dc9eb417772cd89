import { DOMAIN_EVENT_TYPES } from '@flow/contracts';
import { consumedEventTypes, matchesAnyBinding } from '@flow/messaging';
import { HANDLED_EVENT_TYPES } from '../src/services/rules';

// The compiler already holds the rules to the catalog (ConsumerHandlers); this checks the runtime
// side: the queue's bindings route exactly the types that have a rule.
test('notifications is bound to exactly the event types it has rules for', () => {
  const routed = DOMAIN_EVENT_TYPES.filter((type) =>
    matchesAnyBinding(consumedEventTypes('notifications'), type),
  );
  expect([...HANDLED_EVENT_TYPES].sort()).toEqual(routed.sort());
});
