import { handledTypes, handleEvent, type EventHandlers } from '../src';
import { envelopeOf, examples } from './examples';

const handlers: EventHandlers<'order.placed' | 'stock.low', string> = {
  // event.data is typed by the event type: these compile only because the fields exist.
  'order.placed': (event) => `${event.data.number}: ${event.data.items.length} line(s)`,
  'stock.low': (event) => `${event.data.available} left`,
};

test('an event is parsed once and handed to the handler of its type, typed', () => {
  expect(handleEvent(handlers, envelopeOf('order.placed', examples['order.placed']))).toEqual({
    kind: 'handled',
    result: 'ORD-2026-000123: 1 line(s)',
  });
  expect(handleEvent(handlers, envelopeOf('stock.low', examples['stock.low']))).toEqual({
    kind: 'handled',
    result: '3 left',
  });
});

test('a type without a handler is not parsed at all; a malformed one is not handled', () => {
  expect(handleEvent(handlers, envelopeOf('stock.reserved', {}))).toEqual({ kind: 'unhandled' });
  expect(handleEvent(handlers, envelopeOf('hasOwnProperty', {}))).toEqual({ kind: 'unhandled' });
  expect(handleEvent(handlers, envelopeOf('stock.low', { ...examples['stock.low'], depotId: 1 }))).toEqual({
    kind: 'malformed',
    error: 'data.depotId is not a uuid',
  });
});

test('handledTypes lists the keys', () => {
  expect(handledTypes(handlers).sort()).toEqual(['order.placed', 'stock.low']);
});

// Compile-time: a handler map has exactly the types it declares.
// @ts-expect-error stock.low has no handler
export const missing: EventHandlers<'order.placed' | 'stock.low', string> = { 'order.placed': () => '' };
export const extra: EventHandlers<'order.placed', string> = {
  'order.placed': () => '',
  // @ts-expect-error stock.low is not one of its types
  'stock.low': () => '',
};
export const wrongField: EventHandlers<'stock.low', number> = {
  // @ts-expect-error stock.low carries no number
  'stock.low': (event) => event.data.number,
};
