import {
  createNotificationsTestEnvironment,
  newViewer,
  type NotificationsTestEnvironment,
  type TestViewer,
} from './support';

// Whether the caller read each notification (a receipt per user) must cost one statement for a
// whole page or every reference of a request, not one per notification.
let t: NotificationsTestEnvironment;
const vendor = newViewer('VENDOR', 'VENDOR_ADMIN');
let ids: string[];

beforeAll(async () => {
  t = await createNotificationsTestEnvironment();
  // Rows straight in the tables: this measures reads, the rules have tests of their own. Twelve
  // notifications to the vendor's organization, newest last; the even ones read by the viewer.
  await t.sql(
    `WITH events AS (
         INSERT INTO processed_events (event_id, type, notification_count)
         SELECT gen_random_uuid(), 'stock.low', 1 FROM generate_series(1, 12)
         RETURNING event_id
       )
       INSERT INTO notifications (id, type, title, body, organization_id, event_id, occurred_at, created_at)
       SELECT gen_random_uuid(), 'STOCK_LOW', 'Stock low', 'Reorder soon.', $1::uuid, e.event_id, now(),
         now() + row_number() OVER () * interval '1 second'
       FROM events e`,
    [vendor.organizationId],
  );
  ids = (await t.sql<{ id: string }>('SELECT id::text FROM notifications ORDER BY created_at, id')).map(
    (row) => row.id,
  );
  await t.sql(
    `INSERT INTO notification_receipts (notification_id, user_id)
     SELECT n.id, $2::uuid FROM unnest($1::uuid[]) WITH ORDINALITY n(id, i) WHERE i % 2 = 0`,
    [ids, vendor.userId],
  );
});
afterAll(() => t?.stop());

/** The statements one request costs. */
async function measured<Data>(viewer: TestViewer, query: string, variables: Record<string, unknown>) {
  const token = await t.as(viewer);
  t.statements.length = 0;
  const result = await t.gql<Data>({ query, variables, token });
  expect(result.errors).toBeUndefined();
  return { statements: t.statements.length, data: result.data! };
}

const readState = (some: { id: string; read: boolean; readAt: string | null }[]) =>
  some.map((n) => [n.read, n.readAt !== null, ids.indexOf(n.id) % 2 === 1]);

it('lists 2 and 12 notifications with whether each was read in the same statements', async () => {
  const query =
    'query ($first: Int!) { notifications(first: $first) { totalCount edges { node { id read readAt } } } }';
  type Answer = {
    notifications: { edges: { node: { id: string; read: boolean; readAt: string | null } }[] };
  };
  const two = await measured<Answer>(vendor, query, { first: 2 });
  const twelve = await measured<Answer>(vendor, query, { first: 12 });
  const nodes = twelve.data.notifications.edges.map((edge) => edge.node);
  expect(nodes.map((n) => n.id)).toEqual([...ids].reverse());
  for (const [read, hasReadAt, shouldBeRead] of readState(nodes)) {
    expect(read).toBe(shouldBeRead);
    expect(hasReadAt).toBe(shouldBeRead);
  }
  // The page, its count, the viewer's receipts.
  expect(two.statements).toBe(3);
  expect(twelve.statements).toBe(two.statements);
});

it('resolves 1 and 12 notification references with their read state in the same statements', async () => {
  const query =
    'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Notification { id read readAt } } }';
  const references = (some: string[]) => ({ r: some.map((id) => ({ __typename: 'Notification', id })) });
  type Answer = { _entities: { id: string; read: boolean; readAt: string | null }[] };
  const one = await measured<Answer>(vendor, query, references(ids.slice(0, 1)));
  const twelve = await measured<Answer>(vendor, query, references(ids));
  expect(twelve.data._entities.map((n) => n.id)).toEqual(ids);
  for (const [read, , shouldBeRead] of readState(twelve.data._entities)) expect(read).toBe(shouldBeRead);
  // The notifications, the viewer's receipts.
  expect(one.statements).toBe(2);
  expect(twelve.statements).toBe(one.statements);
});
