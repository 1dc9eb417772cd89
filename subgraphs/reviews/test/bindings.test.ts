import { DOMAIN_EVENT_TYPES } from '@flow/contracts';
import { consumedEventTypes, matchesAnyBinding } from '@flow/messaging';

// The compiler holds the handler map to the catalog (ConsumerHandlers); this says what the queue
// receives: order.delivered and nothing else (no order.* it would only ignore).
test('reviews is bound to order.delivered only', () => {
  expect(DOMAIN_EVENT_TYPES.filter((type) => matchesAnyBinding(consumedEventTypes('reviews'), type))).toEqual(
    ['order.delivered'],
  );
});
