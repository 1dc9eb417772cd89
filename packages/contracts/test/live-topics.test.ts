import { liveTopics } from '../src';

test('the topics subgraphs publish on and the router listens on', () => {
  expect(liveTopics.order('o1')).toBe('order:o1');
  expect(liveTopics.delivery('o1')).toBe('delivery:o1');
  expect(liveTopics.organizationOrders('g1')).toBe('org:g1:orders');
  expect(liveTopics.driverOrders('u1')).toBe('user:u1:orders');
  expect(liveTopics.stock('d1')).toBe('stock:d1');
  expect(liveTopics.organizationNotifications('g1')).toBe('org:g1:notifications');
  expect(liveTopics.userNotifications('u1')).toBe('user:u1:notifications');
});

test('a driver watches their own orders and notifications; anyone else their organization’s', () => {
  const driver = { userId: 'u1', organizationId: 'g1', role: 'DRIVER' };
  const admin = { userId: 'u2', organizationId: 'g1', role: 'VENDOR_ADMIN' };
  expect([liveTopics.ordersOf(driver), liveTopics.notificationsOf(driver)]).toEqual([
    'user:u1:orders',
    'user:u1:notifications',
  ]);
  expect([liveTopics.ordersOf(admin), liveTopics.notificationsOf(admin)]).toEqual([
    'org:g1:orders',
    'org:g1:notifications',
  ]);
});
