import { RecentOrganizations } from '../src/clients/users/recent-organizations';
import type { OrganizationSummary } from '../src/services/dependencies';

// compareOffers reuses users' answer about a vendor for at most its max age: a suspension shows
// in offers within it, and only vendors not seen recently are asked (still in one call).
const ctx = { requestId: 'r', authorization: null, clientAddress: null };
let statuses: Map<string, string>;
let asked: string[][];
const ask = async (_: unknown, ids: string[]) => {
  asked.push(ids);
  return new Map<string, OrganizationSummary>(
    ids.flatMap((id) => {
      const status = statuses.get(id);
      return status ? [[id, { id, name: `Vendor ${id}`, kind: 'VENDOR', status }]] : [];
    }),
  );
};

beforeEach(() => {
  statuses = new Map([
    ['a', 'ACTIVE'],
    ['b', 'ACTIVE'],
  ]);
  asked = [];
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  jest.setSystemTime(new Date('2026-06-01T10:00:00Z'));
});
afterEach(() => jest.useRealTimers());

const statusOf = async (recent: RecentOrganizations, ids: string[]) =>
  Object.fromEntries([...(await recent.organizations(ctx, ids))].map(([id, o]) => [id, o.status]));

test('asks only about the organizations it has not seen within its max age', async () => {
  const recent = new RecentOrganizations(ask, 1000);
  expect(await statusOf(recent, ['a'])).toEqual({ a: 'ACTIVE' });
  expect(await statusOf(recent, ['a', 'b', 'unknown'])).toEqual({ a: 'ACTIVE', b: 'ACTIVE' });
  expect(await statusOf(recent, ['b', 'unknown', 'a'])).toEqual({ a: 'ACTIVE', b: 'ACTIVE' });
  expect(asked).toEqual([['a'], ['b', 'unknown']]);
});

test('a suspension shows once the max age has passed, not later', async () => {
  const recent = new RecentOrganizations(ask, 1000);
  await statusOf(recent, ['a', 'b']);
  statuses.set('a', 'SUSPENDED');
  jest.setSystemTime(Date.now() + 999);
  expect(await statusOf(recent, ['a', 'b'])).toEqual({ a: 'ACTIVE', b: 'ACTIVE' });
  jest.setSystemTime(Date.now() + 1);
  expect(await statusOf(recent, ['a', 'b'])).toEqual({ a: 'SUSPENDED', b: 'ACTIVE' });
  expect(asked).toHaveLength(2);
});

test('with a max age of 0 users is asked every time', async () => {
  const recent = new RecentOrganizations(ask, 0);
  await statusOf(recent, ['a']);
  statuses.set('a', 'SUSPENDED');
  expect(await statusOf(recent, ['a'])).toEqual({ a: 'SUSPENDED' });
  expect(asked).toEqual([['a'], ['a']]);
});

test('a failed question is not remembered', async () => {
  let down = true;
  const recent = new RecentOrganizations(async (c, ids) => {
    if (down) throw new Error('users is down');
    return ask(c, ids);
  }, 1000);
  await expect(recent.organizations(ctx, ['a'])).rejects.toThrow('users is down');
  down = false;
  expect(await statusOf(recent, ['a'])).toEqual({ a: 'ACTIVE' });
  expect(asked).toEqual([['a']]);
});
