// organization.registered|approved|suspended: one outbox row per change, written in the change's
// transaction (a registration or a status change that does not commit leaves no event), and
// published by the relay to RabbitMQ (an exchange of this run, deleted afterwards).
import { randomUUID } from 'node:crypto';
import { parseEvent, type UncheckedEvent } from '@flow/contracts';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { createTestEnvironment, type UsersTestEnvironment } from './environment';
import { LOGIN, REGISTER, registration, type AuthPayload } from './queries';

const AMQP_URL = process.env.AMQP_TEST_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const RUN = randomUUID().slice(0, 8);
const EXCHANGE = `flow-test.users.${RUN}.events`;

const APPROVE = `mutation ($id: ID!) { approveOrganization(id: $id) { id status } }`;
const SUSPEND = `mutation ($id: ID!, $reason: String!) { suspendOrganization(id: $id, reason: $reason) { id status } }`;

interface OutboxRow {
  id: string;
  type: string;
  actor: string | null;
  organization_ids: string[];
  data: Record<string, unknown>;
  published_at: Date | null;
}

interface Published {
  id: string;
  type: string;
  organizationIds: string[];
  data: Record<string, unknown>;
}

let t: UsersTestEnvironment;
let broker: ChannelModel;
let channel: Channel;
let admin: AuthPayload;
const published: Published[] = [];

beforeAll(async () => {
  broker = await connect(AMQP_URL); // rejects (the suite fails) when RabbitMQ is unreachable
  channel = await broker.createChannel();
  await channel.assertExchange(EXCHANGE, 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true });
  await channel.bindQueue(queue, EXCHANGE, 'organization.*');
  await channel.consume(
    queue,
    (message) => {
      if (message) published.push(JSON.parse(String(message.content)) as Published);
    },
    { noAck: true },
  );

  t = await createTestEnvironment({
    AMQP_URL,
    EVENTS_EXCHANGE: EXCHANGE,
    EVENTS_QUEUE_PREFIX: `flow-test.users.${RUN}.`,
    OUTBOX_INTERVAL_MS: '100',
  });
  admin = await login(t.admin.email, t.admin.password);

  // A commit that fails after every statement of the transaction ran: a deferred trigger refuses
  // organizations whose name the test poisons.
  for (const statement of [
    'CREATE TABLE poisoned_names (name text PRIMARY KEY)',
    `CREATE FUNCTION refuse_poisoned() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF EXISTS (SELECT 1 FROM poisoned_names WHERE name = NEW.name) THEN
         RAISE EXCEPTION 'test: commit refused for %', NEW.name;
       END IF;
       RETURN NULL;
     END $$`,
    `CREATE CONSTRAINT TRIGGER refuse_poisoned AFTER INSERT OR UPDATE ON organizations
     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_poisoned()`,
  ])
    await t.app.prisma.$executeRawUnsafe(statement);
});

afterAll(async () => {
  await t?.stop();
  await channel?.deleteExchange(EXCHANGE);
  await broker?.close();
});

async function login(email: string, password: string): Promise<AuthPayload> {
  const result = await t.gql<{ login: AuthPayload }>({ query: LOGIN, variables: { email, password } });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.login;
}

async function register(kind: 'HOSPITAL' | 'VENDOR', overrides: Record<string, unknown> = {}) {
  const input = registration(kind, overrides);
  const result = await t.gql<{ registerOrganization: AuthPayload }>({
    query: REGISTER,
    variables: { input },
  });
  return { input, result, payload: result.data?.registerOrganization ?? null };
}

async function registered(kind: 'HOSPITAL' | 'VENDOR') {
  const { input, result, payload } = await register(kind);
  if (!payload) throw new Error(JSON.stringify(result.errors));
  return { input, user: payload.user, organizationId: payload.user.organization.id };
}

const asAdmin = <D>(query: string, variables: Record<string, unknown>) =>
  t.gql<D>({ query, variables, token: admin.accessToken });

async function approve(organizationId: string): Promise<void> {
  const result = await asAdmin(APPROVE, { id: organizationId });
  expect(result.errors).toBeUndefined();
}

/** Every outbox row about an organization, oldest first. */
const eventsOf = (organizationId: string) =>
  t.sql<OutboxRow>(
    `SELECT id::text, type, actor, organization_ids::text[] AS organization_ids, data, published_at
     FROM outbox_events WHERE $1::uuid = ANY(organization_ids) ORDER BY occurred_at, id`,
    [organizationId],
  );

const eventsNamed = (name: string) =>
  t.sql<OutboxRow>(`SELECT id::text, type FROM outbox_events WHERE data->>'name' = $1`, [name]);

const poison = (name: string) =>
  t.sql(`INSERT INTO poisoned_names (name) VALUES ($1) RETURNING name`, [name]);
const cure = (name: string) => t.sql(`DELETE FROM poisoned_names WHERE name = $1 RETURNING name`, [name]);

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('organization.registered', () => {
  it('is written once for the bootstrapped platform organization, by the system', async () => {
    const rows = await eventsOf(admin.user.organization.id);
    expect(rows).toEqual([
      expect.objectContaining({
        type: 'organization.registered',
        actor: null,
        organization_ids: [admin.user.organization.id],
        data: {
          organizationId: admin.user.organization.id,
          name: 'Flow Platform',
          kind: 'PLATFORM',
          status: 'ACTIVE',
        },
      }),
    ]);
  });

  it.each([
    ['VENDOR', 'PENDING_APPROVAL'],
    ['HOSPITAL', 'ACTIVE'],
  ] as const)('is written once for a %s, with its new admin as the actor', async (kind, status) => {
    const { input, user, organizationId } = await registered(kind);
    expect(await eventsOf(organizationId)).toEqual([
      expect.objectContaining({
        type: 'organization.registered',
        actor: user.id,
        organization_ids: [organizationId],
        data: { organizationId, name: input.organizationName, kind, status },
      }),
    ]);
  });

  it('is not written when the registration fails: a duplicate email', async () => {
    const first = await registered('HOSPITAL');
    const again = await register('VENDOR', { email: first.input.email });
    expect(again.result.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(await eventsNamed(again.input.organizationName)).toEqual([]);
    expect(await eventsOf(first.organizationId)).toHaveLength(1);
  });

  it('is not written when the transaction does not commit', async () => {
    const input = registration('VENDOR');
    await poison(input.organizationName);
    const refused = await t.gql({ query: REGISTER, variables: { input } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(await t.sql(`SELECT id FROM organizations WHERE name = $1`, [input.organizationName])).toEqual([]);
    expect(await eventsNamed(input.organizationName)).toEqual([]);
  });
});

describe('organization.approved and organization.suspended', () => {
  it('approving writes one event, and approving again (a CONFLICT) writes none', async () => {
    const vendor = await registered('VENDOR');
    await approve(vendor.organizationId);
    const again = await asAdmin(APPROVE, { id: vendor.organizationId });
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');

    const rows = await eventsOf(vendor.organizationId);
    expect(rows.map((row) => row.type)).toEqual(['organization.registered', 'organization.approved']);
    expect(rows[1]).toMatchObject({
      actor: admin.user.id,
      organization_ids: [vendor.organizationId],
      data: {
        organizationId: vendor.organizationId,
        name: vendor.input.organizationName,
        kind: 'VENDOR',
        status: 'ACTIVE',
        previousStatus: 'PENDING_APPROVAL',
      },
    });
    expect(rows[1]!.data).not.toHaveProperty('reason');
  });

  it('admins approving at once: one wins and writes the one event', async () => {
    const vendor = await registered('VENDOR');
    const results = await Promise.all(
      Array.from({ length: 6 }, () => asAdmin(APPROVE, { id: vendor.organizationId })),
    );
    expect(results.filter((result) => !result.errors)).toHaveLength(1);
    expect(results.filter((result) => result.errors?.[0]?.extensions?.code === 'CONFLICT')).toHaveLength(5);
    expect((await eventsOf(vendor.organizationId)).map((row) => row.type)).toEqual([
      'organization.registered',
      'organization.approved',
    ]);
  });

  it('suspending writes one event with the reason; reinstating writes organization.approved', async () => {
    const hospital = await registered('HOSPITAL');
    const suspended = await asAdmin(SUSPEND, { id: hospital.organizationId, reason: 'Unpaid invoices' });
    expect(suspended.errors).toBeUndefined();
    const twice = await asAdmin(SUSPEND, { id: hospital.organizationId, reason: 'Again' });
    expect(twice.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    await approve(hospital.organizationId);

    const rows = await eventsOf(hospital.organizationId);
    expect(rows.map((row) => row.type)).toEqual([
      'organization.registered',
      'organization.suspended',
      'organization.approved',
    ]);
    expect(rows[1]).toMatchObject({
      actor: admin.user.id,
      organization_ids: [hospital.organizationId],
      data: {
        organizationId: hospital.organizationId,
        name: hospital.input.organizationName,
        kind: 'HOSPITAL',
        status: 'SUSPENDED',
        previousStatus: 'ACTIVE',
        reason: 'Unpaid invoices',
      },
    });
    expect(rows[2]!.data).toMatchObject({ status: 'ACTIVE', previousStatus: 'SUSPENDED' });
  });

  it('a status change that does not commit writes no event', async () => {
    const vendor = await registered('VENDOR');
    await poison(vendor.input.organizationName);
    const refusedApproval = await asAdmin(APPROVE, { id: vendor.organizationId });
    expect(refusedApproval.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    const refusedSuspension = await asAdmin(SUSPEND, { id: vendor.organizationId, reason: 'Fraud' });
    expect(refusedSuspension.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect((await eventsOf(vendor.organizationId)).map((row) => row.type)).toEqual([
      'organization.registered',
    ]);

    await cure(vendor.input.organizationName);
    await approve(vendor.organizationId);
    expect((await eventsOf(vendor.organizationId)).map((row) => row.type)).toEqual([
      'organization.registered',
      'organization.approved',
    ]);
  });
});

describe('the outbox relay', () => {
  it('publishes the rows to the exchange once committed, routed by type, and stamps them', async () => {
    const vendor = await registered('VENDOR');
    await approve(vendor.organizationId);
    const rows = await eventsOf(vendor.organizationId);
    await until(
      async () => rows.every((row) => published.some((event) => event.id === row.id)),
      'the events on the broker',
    );
    expect(published.filter((event) => event.organizationIds.includes(vendor.organizationId))).toEqual([
      expect.objectContaining({ id: rows[0]!.id, type: 'organization.registered', data: rows[0]!.data }),
      expect.objectContaining({ id: rows[1]!.id, type: 'organization.approved', data: rows[1]!.data }),
    ]);
    await until(
      async () => (await eventsOf(vendor.organizationId)).every((row) => row.published_at !== null),
      'published_at on the rows',
    );
  });

  it('published only events their contract accepts (@flow/contracts), of every type', async () => {
    const parsed = published.map((event) => parseEvent(event as unknown as UncheckedEvent));
    expect(parsed.filter((result) => !result.ok)).toEqual([]);
    expect(new Set(published.map((event) => event.type))).toEqual(
      new Set(['organization.registered', 'organization.approved', 'organization.suspended']),
    );
  });
});
