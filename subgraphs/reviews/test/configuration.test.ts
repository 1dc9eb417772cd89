import { parseReviewsConfig } from '../src/env';
import { createReviewsTestEnvironment, deliveredEvent, newViewer, SUBMIT } from './support';

test('defaults: port 8009, a 30-day review window', () => {
  expect(parseReviewsConfig({})).toMatchObject({ port: 8009, reviewWindowDays: 30 });
});

test('REVIEW_WINDOW_DAYS is a whole number of days from 1 to 3650', () => {
  expect(parseReviewsConfig({ REVIEW_WINDOW_DAYS: '7' }).reviewWindowDays).toBe(7);
  for (const bad of ['0', '-1', '2.5', 'a month', '3651'])
    expect(() => parseReviewsConfig({ REVIEW_WINDOW_DAYS: bad })).toThrow(/REVIEW_WINDOW_DAYS/);
});

test('the window the app is started with is the one it applies', async () => {
  const t = await createReviewsTestEnvironment({ REVIEW_WINDOW_DAYS: '2' });
  try {
    const staff = newViewer('HOSPITAL', 'HOSPITAL_STAFF');
    const submit = async (daysAgo: number) => {
      const event = deliveredEvent(
        staff.organizationId,
        newViewer('VENDOR', 'VENDOR_ADMIN').organizationId,
        daysAgo,
      );
      await t.app.services.deliveries.apply(event);
      const result = await t.gql({
        query: SUBMIT,
        variables: { input: { orderId: event.data.orderId, rating: 5 } },
        token: await t.as(staff),
      });
      return result.errors?.[0]?.extensions?.reason ?? 'accepted';
    };
    expect(await submit(1)).toBe('accepted');
    expect(await submit(3)).toBe('REVIEW_WINDOW_CLOSED');
  } finally {
    await t.stop();
  }
});
