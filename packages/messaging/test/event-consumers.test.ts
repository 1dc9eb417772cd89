// A consumer's handler map must handle exactly what its catalog entry binds: checked by the
// compiler (ConsumerHandlers) and, for the expansion of `<prefix>.*`, against the broker's routing.
import { DOMAIN_EVENT_TYPES, ORDER_EVENT_TYPES } from '@flow/contracts';
import { consumedEventTypes } from '../src/events/bus';
import { matchesAnyBinding } from '../src/events/domain-event';
import { subgraphCatalog } from '@flow/core';
import { type ConsumerHandlers } from '../src/event-consumers';

const handle = async () => {};

test('order.* is every order event type, as RabbitMQ routes it', () => {
  const routed = DOMAIN_EVENT_TYPES.filter((type) => matchesAnyBinding(consumedEventTypes('payments'), type));
  expect(routed.sort()).toEqual([...ORDER_EVENT_TYPES].sort());
});

test('every binding of the catalog routes at least one event type', () => {
  for (const { name, consumes = [] } of subgraphCatalog)
    for (const binding of consumes)
      expect([name, DOMAIN_EVENT_TYPES.some((type) => matchesAnyBinding([binding], type))]).toEqual([
        name,
        true,
      ]);
});

// Compile-time (tsc --noEmit -p packages/messaging): exactly the catalog's event types.
export const payments: ConsumerHandlers<'payments', Promise<void>> = {
  'order.placed': handle,
  'order.confirmed': handle,
  'order.rejected': handle,
  'order.dispatched': handle,
  'order.delivered': handle,
  'order.cancelled': handle,
};
// @ts-expect-error order.cancelled is bound but has no handler
export const missing: ConsumerHandlers<'payments', Promise<void>> = {
  'order.placed': handle,
  'order.confirmed': handle,
  'order.rejected': handle,
  'order.dispatched': handle,
  'order.delivered': handle,
};
export const unbound: ConsumerHandlers<'payments', Promise<void>> = {
  ...payments,
  // @ts-expect-error payments does not consume stock.low: its queue would never receive it
  'stock.low': handle,
};

test('`#` is every event type, as RabbitMQ routes it', () => {
  expect(DOMAIN_EVENT_TYPES.filter((type) => matchesAnyBinding(['#'], type))).toEqual(DOMAIN_EVENT_TYPES);
});

// admin binds `#`: its map must handle every type there is, so a type added to @flow/contracts
// fails admin's compile until it says what the type counts for (never a silent gap).
// @ts-expect-error every type but order.placed is missing
export const adminMissing: ConsumerHandlers<'admin', Promise<void>> = { 'order.placed': handle };
