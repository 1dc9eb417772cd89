// The outbox relay against the real Postgres: a schema of its own holding `outbox_events` exactly
// as the orders migration creates it. Order, exactly-once stamping, two relays on one table, a
// failing publisher, stop during a batch, and end to end through RabbitMQ and HTTP push.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { connect } from 'amqplib';
import { parse } from 'graphql';
import pg from 'pg';
import pino from 'pino';
import { subgraphDatabase, type SubgraphDatabase } from '../src/db/database-url';
import { dropSchema, quoteIdentifier } from '../src/db/migrations';
import {
  consumerQueues,
  createEventBus,
  eventInboxUrl,
  outboxPending,
  outboxPublished,
  type DomainEvent,
  type EventPublisher,
} from '@flow/messaging';
import { startOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from '../src/events/outbox-relay';
import { startSubgraphServer, type BaseContext } from '../src/subgraph-server';
import { capturingLogger, databaseUrlForSchema, uniqueSchemaName, until } from '@flow/testing';

const AMQP_URL = process.env.AMQP_TEST_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const SECRET = 'events-relay-test-secret-of-enough-length';
const silent = pino({ level: 'silent' });
const database: SubgraphDatabase = subgraphDatabase('orders', {
  databaseUrl: databaseUrlForSchema(uniqueSchemaName('events_relay_test')),
});
const table = `${quoteIdentifier(database.schema)}.outbox_events`;
let db: pg.Pool;

/** The CREATE TABLE of outbox_events from the orders migration: the relay reads the real shape. */
function outboxDdl(): string {
  const migrations = join(__dirname, '..', '..', '..', 'prisma', 'orders', 'migrations');
  const init = readdirSync(migrations).find((name) => name.endsWith('_init'))!;
  const sql = readFileSync(join(migrations, init, 'migration.sql'), 'utf8');
  const ddl = /CREATE TABLE "outbox_events" \([\s\S]*?\n\);/.exec(sql)?.[0];
  if (!ddl) throw new Error('outbox_events not found in the orders migration');
  return ddl;
}

beforeAll(async () => {
  db = new pg.Pool({ connectionString: database.connectionString, max: 4 });
  const schema = quoteIdentifier(database.schema);
  await db.query(`CREATE SCHEMA ${schema}`);
  await db.query(`SET search_path TO ${schema}`);
  await db.query(outboxDdl().replace('CREATE TABLE "outbox_events"', `CREATE TABLE ${table}`));
  await db.query(`CREATE INDEX ON ${table} (published_at, occurred_at)`);
});

const relays = new Set<OutboxRelay>();
afterEach(async () => {
  await Promise.all([...relays].map((relay) => relay.stop()));
  relays.clear();
  await db.query(`DELETE FROM ${table}`);
});

afterAll(async () => {
  await db.end();
  await dropSchema(database.connectionString, database.schema);
});

function relay(publisher: EventPublisher, options: Partial<OutboxRelayOptions> = {}): OutboxRelay {
  const started = startOutboxRelay({
    source: 'orders',
    database,
    publisher,
    logger: silent,
    intervalMs: 20,
    minBackoffMs: 10,
    maxBackoffMs: 50,
    ...options,
  });
  relays.add(started);
  return started;
}

/** Writes `count` outbox rows a millisecond apart, as a producer's transaction would. Returns their ids in order. */
async function writeEvents(count: number, type = 'order.placed'): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO ${table} (id, type, occurred_at, actor, organization_ids, data)
     SELECT gen_random_uuid(), $1, timestamp '2026-01-01' + n * interval '1 millisecond',
            CASE WHEN n % 2 = 0 THEN 'user-' || n END,
            CASE WHEN n % 3 = 0 THEN NULL ELSE ARRAY[gen_random_uuid()] END,
            jsonb_build_object('n', n, 'total', jsonb_build_object('amountMinor', n * 100, 'currency', 'EUR'))
     FROM generate_series(1, $2::int) AS n ORDER BY n RETURNING id`,
    [type, count],
  );
  return rows.map((row) => row.id);
}

const unpublished = async () =>
  Number((await db.query(`SELECT count(*) AS n FROM ${table} WHERE published_at IS NULL`)).rows[0].n);

/** Records every batch it is given. */
function recorder(options: { delayMs?: number } = {}) {
  const batches: DomainEvent[][] = [];
  const publisher: EventPublisher = {
    async publish(events) {
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      batches.push([...events]);
    },
    async close() {},
  };
  return { publisher, batches, events: () => batches.flat() };
}

describe('outbox relay', () => {
  it('publishes every row once, in occurred_at order, in batches, and stamps published_at', async () => {
    const before = (await outboxPublished.get()).values.find((v) => v.labels.source === 'orders')?.value ?? 0;
    const ids = await writeEvents(250);
    const { publisher, batches, events } = recorder();
    relay(publisher, { batchSize: 100 });
    await until(async () => (await unpublished()) === 0, 'the outbox to drain');
    await new Promise((resolve) => setTimeout(resolve, 100)); // a few more polls: nothing more
    expect(batches.map((batch) => batch.length)).toEqual([100, 100, 50]);
    expect(events().map((e) => e.id)).toEqual(ids);
    const { rows } = await db.query(
      `SELECT id, actor, organization_ids::text[] AS organization_ids, data, occurred_at, published_at
       FROM ${table} ORDER BY occurred_at LIMIT 3`,
    );
    expect(events().slice(0, 3)).toEqual(
      rows.map((row) => ({
        id: row.id,
        type: 'order.placed',
        occurredAt: row.occurred_at.toISOString(),
        actor: row.actor,
        organizationIds: row.organization_ids ?? [],
        data: row.data,
        source: 'orders',
      })),
    );
    expect(events()[2]).toMatchObject({ actor: null, organizationIds: [], data: { n: 3 } });
    expect(rows.every((row) => row.published_at instanceof Date)).toBe(true);
    const after = (await outboxPublished.get()).values.find((v) => v.labels.source === 'orders')?.value ?? 0;
    expect(after - before).toBe(250);
    expect((await outboxPending.get()).values.find((v) => v.labels.source === 'orders')?.value).toBe(0);
  });

  it('publishes soon after wake(), long before the next poll', async () => {
    const { publisher, events } = recorder();
    const started = relay(publisher, { intervalMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 100)); // the first pass, on an empty outbox
    const [id] = await writeEvents(1);
    const woken = Date.now();
    started.wake();
    started.wake();
    await until(() => events().length === 1, 'the woken pass', 2000);
    expect(Date.now() - woken).toBeLessThan(1000);
    expect(events()[0]!.id).toBe(id);
  });

  it('never lets two relays on one table publish the same row', async () => {
    const ids = await writeEvents(300);
    const first = recorder({ delayMs: 5 });
    const second = recorder({ delayMs: 5 });
    relay(first.publisher, { batchSize: 7, intervalMs: 5 });
    relay(second.publisher, { batchSize: 7, intervalMs: 5 });
    await until(async () => (await unpublished()) === 0, 'the outbox to drain');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const published = [...first.events(), ...second.events()].map((e) => e.id);
    expect(new Set(published).size).toBe(published.length);
    expect([...published].sort()).toEqual([...ids].sort());
    // Both took part: SKIP LOCKED let them work side by side rather than wait for each other.
    expect(first.events().length).toBeGreaterThan(0);
    expect(second.events().length).toBeGreaterThan(0);
  });

  it('keeps the rows while publishing fails, and publishes each once after it recovers', async () => {
    const ids = await writeEvents(30);
    let down = true;
    let attempts = 0;
    const accepted: DomainEvent[] = [];
    const { logger, lines } = capturingLogger();
    relay(
      {
        async publish(events) {
          attempts += 1;
          if (down) throw new Error('broker away');
          accepted.push(...events);
        },
        async close() {},
      },
      { logger, batchSize: 10 },
    );
    await until(() => attempts >= 6, 'several failed attempts');
    expect(await unpublished()).toBe(30);
    expect(lines.some((l) => l.msg === 'outbox: publishing failed; events kept for the next try')).toBe(true);
    expect(lines.some((l) => l.msg === 'outbox: publishing keeps failing' && l.level === 50)).toBe(true);
    down = false;
    await until(async () => (await unpublished()) === 0, 'the outbox to drain after recovery');
    expect(accepted.map((e) => e.id)).toEqual(ids);
  });

  it('rolls back a publish that takes too long, and publishes the rows later', async () => {
    await writeEvents(3);
    let hang = true;
    const accepted: DomainEvent[] = [];
    relay(
      {
        publish: (events) =>
          hang ? new Promise<void>(() => {}) : (accepted.push(...events), Promise.resolve()),
        async close() {},
      },
      { publishTimeoutMs: 50 },
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await unpublished()).toBe(3);
    hang = false;
    await until(async () => (await unpublished()) === 0, 'the rows to go out');
    expect(accepted).toHaveLength(3);
  });

  it('finishes the batch in flight when stopped', async () => {
    await writeEvents(5);
    let release: () => void = () => {};
    let entered = false;
    const started = relay({
      publish: () =>
        new Promise<void>((resolve) => {
          entered = true;
          release = resolve;
        }),
      async close() {},
    });
    await until(() => entered, 'a batch in flight');
    let stopped = false;
    const stopping = started.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(await unpublished()).toBe(0);
  });

  it('survives an unreachable database and stops promptly', async () => {
    const { logger, lines } = capturingLogger();
    const started = relay(recorder().publisher, {
      database: { connectionString: 'postgresql://postgres@127.0.0.1:1/test', schema: 'nowhere' },
      logger,
    });
    await until(
      () => lines.some((l) => l.msg === 'outbox: publishing failed; events kept for the next try'),
      'a logged failure',
    );
    await started.stop();
  });
});

describe('outbox relay, end to end', () => {
  it('through RabbitMQ: nothing lost while the broker is unreachable, each event delivered once after', async () => {
    const exchange = `flow-test.events.${randomUUID()}`;
    const consumer = `test-relay-${randomUUID().slice(0, 8)}`;
    const admin = await connect(AMQP_URL);
    const channel = await admin.createChannel();
    const received: string[] = [];
    const consuming = createEventBus({
      source: 'notifications',
      logger: silent,
      amqpUrl: AMQP_URL,
      exchange,
      secret: '',
    });
    // Down at first: a URL where nothing listens, so the relay's publishes fail.
    const unreachable = createEventBus({
      source: 'orders',
      logger: silent,
      amqpUrl: 'amqp://guest:guest@127.0.0.1:1',
      exchange,
      secret: '',
      amqp: { minBackoffMs: 20, maxBackoffMs: 100 },
    });
    const producing = createEventBus({
      source: 'orders',
      logger: silent,
      amqpUrl: AMQP_URL,
      exchange,
      secret: '',
    });
    try {
      await consuming.consume({
        consumer,
        bindings: ['order.*'],
        handler: async (e) => void received.push(e.id),
      });
      const ids = await writeEvents(20);
      const failing = relay(unreachable.publisher);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await unpublished()).toBe(20);
      await failing.stop();
      relays.delete(failing);
      relay(producing.publisher);
      await until(() => received.length === 20, 'every event at the consumer');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(received).toEqual(ids); // one relay, one consumer channel: the broker keeps the order
      expect(await unpublished()).toBe(0);
    } finally {
      // Whatever failed above, the queues and the exchange go.
      await Promise.allSettled([...relays].map((r) => r.stop()));
      relays.clear();
      await Promise.allSettled([consuming.close(), unreachable.close(), producing.close()]);
      for (const queue of Object.values(consumerQueues(consumer))) await channel.deleteQueue(queue);
      await channel.deleteExchange(exchange);
      await admin.close();
    }
  });

  it('through HTTP push: nothing lost while the consumer is down, delivered once it is up', async () => {
    const received: string[] = [];
    const startConsumer = async (port = 0) => {
      const bus = createEventBus({ source: 'notifications', logger: silent, secret: SECRET });
      await bus.consume({
        consumer: 'notifications',
        bindings: ['order.*'],
        handler: async (e) => void received.push(e.id),
      });
      return startSubgraphServer<BaseContext>({
        name: 'notifications',
        schema: buildSubgraphSchema({ typeDefs: parse('type Query { ok: Boolean }') }),
        logger: silent,
        port,
        production: true,
        routerSecret: SECRET,
        verifyToken: async () => {
          throw new Error('no tokens');
        },
        buildContext: (base) => base,
        readiness: {},
        eventBus: bus,
        close: () => bus.close(),
      });
    };
    // Learn a port, then stop: the consumer is down when the relay starts.
    const first = await startConsumer();
    const { port } = first;
    await first.stop();
    const producing = createEventBus({
      source: 'orders',
      logger: silent,
      secret: SECRET,
      httpTargets: [{ consumer: 'notifications', inboxUrl: eventInboxUrl(first.url), bindings: ['order.*'] }],
    });
    const ids = await writeEvents(12);
    relay(producing.publisher);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await unpublished()).toBe(12);
    const server = await startConsumer(port);
    try {
      await until(async () => (await unpublished()) === 0, 'the outbox to drain into the consumer');
      expect(received).toEqual(ids);
    } finally {
      await Promise.all([...relays].map((r) => r.stop()));
      relays.clear();
      await server.stop();
    }
  });
});
