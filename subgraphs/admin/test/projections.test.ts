import { randomUUID } from 'node:crypto';
import { projectionsOf } from '../src/services/projections';
import { at, newOrder, orderEvent, placementFailedEvent, stockLowEvent } from './support';

const start = new Date('2026-11-02T08:00:00.000Z');
const order = newOrder(randomUUID(), randomUUID(), 4_200);

test('order.placed sets the placement time; order.delivered the delivery time; others only the status', () => {
  expect(projectionsOf(orderEvent('order.placed', order, start))).toEqual([
    expect.objectContaining({
      kind: 'order',
      status: 'PLACED',
      statusRank: 1,
      placedAt: start,
      deliveredAt: null,
      totalMinor: 4_200,
      currency: 'USD',
    }),
  ]);
  expect(projectionsOf(orderEvent('order.delivered', order, at(start, 30)))).toEqual([
    expect.objectContaining({
      status: 'DELIVERED',
      statusRank: 4,
      placedAt: null,
      deliveredAt: at(start, 30),
    }),
  ]);
  expect(projectionsOf(orderEvent('order.confirmed', order, at(start, 1)))).toEqual([
    expect.objectContaining({ status: 'CONFIRMED', statusRank: 2, placedAt: null, deliveredAt: null }),
  ]);
});

test('a status this build does not know moves nothing (rank 0)', () => {
  expect(projectionsOf(orderEvent('order.confirmed', order, start, { status: 'ON_HOLD' }))).toEqual([
    expect.objectContaining({ status: 'ON_HOLD', statusRank: 0 }),
  ]);
});

test('placement.failed becomes a failure with its code and time', () => {
  const event = placementFailedEvent(order.hospitalOrganizationId, start);
  expect(projectionsOf(event)).toEqual([
    {
      kind: 'placementFailure',
      eventId: event.id,
      orderId: null,
      hospitalOrganizationId: order.hospitalOrganizationId,
      failureCode: 'OUT_OF_STOCK',
      occurredAt: start,
    },
  ]);
});

test('events no figure is made of project nothing; an unknown type is null', () => {
  expect(projectionsOf(stockLowEvent(randomUUID(), start))).toEqual([]);
  expect(projectionsOf({ ...stockLowEvent(randomUUID(), start), type: 'vendor.certified' })).toBeNull();
});
