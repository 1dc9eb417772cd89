import {
  createOrdersTestEnvironment,
  newViewer,
  type OrdersTestEnvironment,
  type ScriptedDependencies,
} from './support';

// Order.hospital, vendor, site and depot provide their names (services/party-names.ts): orders
// asks users and locations once for a name it has not recorded, on behalf of the viewer, then
// answers from party_names. Organization and site names never change, so a recorded name is
// never stale.
let t: OrdersTestEnvironment;
let deps: ScriptedDependencies;
const hospital = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');
const vendor = newViewer('VENDOR', 'VENDOR_ADMIN');
const stranger = newViewer('HOSPITAL', 'HOSPITAL_ADMIN');

beforeAll(async () => {
  t = await createOrdersTestEnvironment();
  deps = t.dependencies;
});
afterAll(() => t?.stop());

interface Parties {
  id: string;
  hospital: { id: string; name?: string };
  vendor: { id: string; name?: string };
  site: { id: string; name?: string };
  depot: { id: string; name?: string };
}
const PARTIES = 'id hospital { id name } vendor { id name } site { id name } depot { id name }';

/** `count` orders of the hospital with the vendor, each to a site and from a depot of its own. */
async function insertOrders(
  count: number,
  vendorId = vendor.organizationId,
): Promise<{ id: string; siteId: string; depotId: string }[]> {
  return t.sql<{ id: string; siteId: string; depotId: string }>(
    `INSERT INTO orders (id, number, status, priority, hospital_organization_id, placed_by, site_id,
       vendor_organization_id, depot_id, currency, subtotal_minor, delivery_fee_minor, total_minor,
       payment_method, idempotency_key, placed_at, created_at, updated_at)
     SELECT gen_random_uuid(), 'ORD-PARTY-' || gen_random_uuid(), 'PLACED', 'ROUTINE', $1::uuid, $2::uuid,
       gen_random_uuid(), $3::uuid, gen_random_uuid(), 'USD', 3000, 500, 3500, 'CARD',
       gen_random_uuid()::text, now(), now(), now()
     FROM generate_series(1, $4::int)
     RETURNING id::text, site_id::text AS "siteId", depot_id::text AS "depotId"`,
    [hospital.organizationId, hospital.userId, vendorId, count],
  );
}

async function partiesOf(ids: string[], viewer = hospital) {
  const token = await t.as(viewer);
  t.statements.length = 0;
  const result = await t.gql<{ _entities: (Parties | null)[] }>({
    query: `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order { ${PARTIES} } } }`,
    variables: { r: ids.map((id) => ({ __typename: 'Order', id })) },
    token,
  });
  return {
    errors: result.errors,
    orders: result.data?._entities ?? [],
    statements: t.statements.filter((sql) => !/outbox/i.test(sql)),
  };
}

const recorded = () =>
  t.sql<{ id: string; kind: string; name: string }>('SELECT id::text, kind::text, name FROM party_names');

it('asks users and locations once per request for names it has not recorded, then answers from its record', async () => {
  const orders = await insertOrders(3);
  const ids = orders.map((o) => o.id);
  const asked = {
    organizations: deps.callsOf('organizationNames').length,
    sites: deps.callsOf('siteNames').length,
  };

  const first = await partiesOf(ids);
  expect(first.errors).toBeUndefined();
  for (const [i, order] of first.orders.entries()) {
    expect(order).toEqual({
      id: ids[i],
      hospital: { id: hospital.organizationId, name: deps.partyName(hospital.organizationId) },
      vendor: { id: vendor.organizationId, name: deps.partyName(vendor.organizationId) },
      site: { id: orders[i]!.siteId, name: deps.partyName(orders[i]!.siteId) },
      depot: { id: orders[i]!.depotId, name: deps.partyName(orders[i]!.depotId) },
    });
  }
  // One call to each owner for every party of the three orders.
  const organizationCalls = deps.callsOf('organizationNames').slice(asked.organizations);
  const siteCalls = deps.callsOf('siteNames').slice(asked.sites);
  expect(organizationCalls).toHaveLength(1);
  expect(new Set(organizationCalls[0]![0])).toEqual(
    new Set([hospital.organizationId, vendor.organizationId]),
  );
  expect(siteCalls).toHaveLength(1);
  expect(new Set(siteCalls[0]![0])).toEqual(new Set(orders.flatMap((o) => [o.siteId, o.depotId])));
  const names = await recorded();
  for (const order of orders) {
    expect(names).toContainEqual({ id: order.siteId, kind: 'SITE', name: deps.partyName(order.siteId) });
    expect(names).toContainEqual({ id: order.depotId, kind: 'SITE', name: deps.partyName(order.depotId) });
  }
  expect(names).toContainEqual({
    id: vendor.organizationId,
    kind: 'ORGANIZATION',
    name: deps.partyName(vendor.organizationId),
  });

  // Recorded: the same answer without a call, and one statement for every party's name.
  const again = await partiesOf(ids);
  expect(again.orders).toEqual(first.orders);
  expect(deps.callsOf('organizationNames')).toHaveLength(asked.organizations + 1);
  expect(deps.callsOf('siteNames')).toHaveLength(asked.sites + 1);
  expect(again.statements.filter((sql) => /party_names/.test(sql))).toHaveLength(1);
});

it('costs one statement for the names of 2 orders and of 12', async () => {
  const two = await insertOrders(2);
  const twelve = [...two, ...(await insertOrders(10))];
  await partiesOf(twelve.map((o) => o.id)); // records every name
  const [a, b] = [await partiesOf(two.map((o) => o.id)), await partiesOf(twelve.map((o) => o.id))];
  expect(b.orders).toHaveLength(12);
  expect(b.statements).toHaveLength(a.statements.length);
  expect(b.statements.filter((sql) => /party_names/.test(sql))).toHaveLength(1);
});

it('looks nothing up when only the key is asked (the router fetching other fields from the owner)', async () => {
  const [order] = await insertOrders(1);
  const calls = deps.calls.length;
  const token = await t.as(hospital);
  t.statements.length = 0;
  const result = await t.gql<{ order: Parties }>({
    query:
      'query ($id: ID!) { order(id: $id) { id hospital { id } vendor { id } site { id } depot { __typename id } } }',
    variables: { id: order!.id },
    token,
  });
  expect(result.errors).toBeUndefined();
  expect(result.data!.order.depot).toEqual({ __typename: 'Site', id: order!.depotId });
  expect(deps.calls).toHaveLength(calls);
  expect(t.statements.filter((sql) => /party_names/.test(sql))).toHaveLength(0);
});

it('records nothing for a party its owner does not answer for, and asks again next time', async () => {
  const [order] = await insertOrders(1);
  deps.unknownParties.add(order!.siteId);
  try {
    const asked = deps.callsOf('siteNames').length;
    const { orders } = await partiesOf([order!.id]);
    // A bare reference: the router, trusting orders for the name, reports the missing name.
    expect(orders[0]?.site ?? null).toEqual(null);
    expect((await recorded()).some((row) => row.id === order!.siteId)).toBe(false);
    expect((await recorded()).some((row) => row.id === order!.depotId)).toBe(true);
    await partiesOf([order!.id]);
    const siteCalls = deps
      .callsOf('siteNames')
      .slice(asked)
      .map(([ids]) => [...ids].sort());
    expect(siteCalls).toEqual([[order!.siteId, order!.depotId].sort(), [order!.siteId]]);
  } finally {
    deps.unknownParties.delete(order!.siteId);
  }
});

it('answers no names of orders the viewer may not see, and asks no owner for them', async () => {
  const [order] = await insertOrders(1);
  const calls = deps.calls.length;
  const { orders, statements } = await partiesOf([order!.id], stranger);
  expect(orders).toEqual([null]);
  expect(deps.calls).toHaveLength(calls);
  expect(statements.filter((sql) => /party_names/.test(sql))).toHaveLength(0);
});

it('fails only the names when an owner is down, and records nothing', async () => {
  // A vendor whose name is not recorded yet: users is asked.
  const [order] = await insertOrders(1, newViewer('VENDOR', 'VENDOR_ADMIN').organizationId);
  deps.fail('organizationNames', 'SERVICE_UNAVAILABLE', { times: 1 });
  const failed = await partiesOf([order!.id]);
  expect(failed.errors?.map((e) => e.extensions?.code)).toContain('SERVICE_UNAVAILABLE');
  // Organizations failed in the same batch as the sites: nothing of it recorded, all asked again.
  expect((await recorded()).some((row) => row.id === order!.siteId)).toBe(false);
  const healed = await partiesOf([order!.id]);
  expect(healed.errors).toBeUndefined();
  expect(healed.orders[0]!.site.name).toBe(deps.partyName(order!.siteId));
});
