// The subgraph kit against the real Postgres: a subgraph of its own (one outbox table, a schema of
// its own) started by startSubgraph. Its relay polls only once a minute, so an event that is out
// within seconds was published because the commit that wrote it woke the relay, whoever wrote it:
// a mutation, a job or an event handler. Then the order in which stopping closes everything.
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import pg from 'pg';
import pino from 'pino';
import { subgraphDatabase } from '../src/db/database-url';
import { dropSchema } from '../src/db/migrations';
import { createSubgraphEventBus } from '@flow/messaging';
import { eventInboxUrl } from '@flow/messaging';
import { HttpEventPublisher } from '@flow/messaging';
import { outboxPending } from '@flow/messaging';
import { startOutboxRelay } from '../src/events/outbox-relay';
import { DEFAULT_HTTP_SERVER_POLICY } from '@flow/core';
import type { SubgraphPrismaClient, SubgraphPrismaOptions } from '../src/kit/prisma';
import { startSubgraph, type KitCollaborators, type SubgraphKitConfig } from '../src/kit/subgraph';
import { createPubSub } from '@flow/live';
import type { RunningSubgraph } from '../src/subgraph-server';
import type { EventBinding } from '@flow/contracts';
import type { SubgraphCatalogEntry } from '@flow/core';
import { createGraphQLClient, databaseUrlForSchema, uniqueSchemaName, until } from '@flow/testing';

const SECRET = 'kit-test-secret-of-enough-length';
const silent = pino({ level: 'silent' });
// A test event type outside the contracts: the kit routes whatever the catalog binds.
const catalog: readonly SubgraphCatalogEntry[] = [
  { name: 'kit', port: 0, consumes: ['kit.ping' as EventBinding], publishesLive: true },
];

const migrationDirs: string[] = [];
afterAll(() => migrationDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A migrations folder whose one migration creates outbox_events as the orders migration does. */
function outboxMigrations(): string {
  const orders = join(__dirname, '..', '..', '..', 'prisma', 'orders', 'migrations');
  const init = readdirSync(orders).find((name) => name.endsWith('_init'))!;
  const sql = readFileSync(join(orders, init, 'migration.sql'), 'utf8');
  const ddl = /CREATE TABLE "outbox_events" \([\s\S]*?\n\);/.exec(sql)![0];
  const dir = mkdtempSync(join(tmpdir(), 'flow-kit-'));
  migrationDirs.push(dir);
  mkdirSync(join(dir, '20260101000000_outbox'));
  writeFileSync(join(dir, '20260101000000_outbox', 'migration.sql'), ddl);
  return dir;
}

/**
 * Stands in for a generated PrismaClient on the real driver adapter, sending what Prisma sends for
 * an interactive transaction: BEGIN (startTransaction), the statements, COMMIT, then commit().
 */
class TinyPrisma implements SubgraphPrismaClient {
  static disconnected: (() => void) | undefined;
  private readonly adapter: ReturnType<SubgraphPrismaOptions['adapter']['connect']>;
  constructor(options: SubgraphPrismaOptions) {
    this.adapter = options.adapter.connect();
  }
  $on(): void {}
  async $connect(): Promise<void> {
    await this.adapter;
  }
  async $disconnect(): Promise<void> {
    await (await this.adapter).dispose();
    TinyPrisma.disconnected?.();
  }
  async $queryRawUnsafe(sql: string): Promise<unknown> {
    return (await this.adapter).queryRaw({ sql, args: [], argTypes: [] });
  }
  async transaction(...statements: string[]): Promise<void> {
    const tx = await (await this.adapter).startTransaction();
    for (const sql of statements) await tx.executeRaw({ sql, args: [], argTypes: [] });
    await tx.executeRaw({ sql: 'COMMIT', args: [], argTypes: [] });
    await tx.commit();
  }
}

const recordEvent = (type: string) =>
  `INSERT INTO outbox_events (id, type, data) VALUES (gen_random_uuid(), '${type}', '{}')`;

function kitConfig(schema: string): SubgraphKitConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    production: false,
    routerSecret: SECRET,
    http: DEFAULT_HTTP_SERVER_POLICY,
    maxDeadlineMs: 15_000,
    databaseUrl: databaseUrlForSchema(schema),
    ownDatabaseUrl: undefined,
    statementTimeoutMs: 10_000,
    redis: null,
    // Once a minute: the test waits seconds at most, so only a wake can have published.
    events: { amqpUrl: null, exchange: 'flow.events', queuePrefix: 'flow.', outboxIntervalMs: 60_000 },
    subgraphUrls: {},
  };
}

interface KitApp {
  app: RunningSubgraph & { prisma: TinyPrisma };
  jobArmed: { value: boolean };
  schema: string;
}

async function startKitApp(
  hooks: {
    job?: (prisma: TinyPrisma) => Promise<void>;
    close?: () => Promise<void>;
    collaborators?: Partial<KitCollaborators>;
  } = {},
): Promise<KitApp> {
  const schema = uniqueSchemaName('kit_test');
  const jobArmed = { value: false };
  let prisma: TinyPrisma | undefined;
  const app = await startSubgraph({
    name: 'kit',
    config: kitConfig(schema),
    logger: silent,
    catalog,
    migrationsDir: outboxMigrations(),
    PrismaClient: TinyPrisma,
    outbox: true,
    collaborators: hooks.collaborators,
    schema: () =>
      buildSubgraphSchema({
        typeDefs: parse('type Query { ok: Boolean } type Mutation { ping: Boolean }'),
        resolvers: {
          Mutation: { ping: async () => (await prisma!.transaction(recordEvent('kit.mutated')), true) },
        },
      }),
    wire: ({ prisma: opened }) => {
      prisma = opened;
      return {
        context: (base) => base,
        handleEvent: () => opened.transaction(recordEvent('kit.handled')),
        jobs: [
          {
            name: 'kit job',
            everyMs: 20,
            run: async () => {
              if (hooks.job) return hooks.job(opened);
              if (!jobArmed.value) return;
              jobArmed.value = false;
              await opened.transaction(recordEvent('kit.job'));
            },
          },
        ],
        server: { verifyToken: async () => Promise.reject(new Error('no tokens here')) },
        close: hooks.close,
        expose: { prisma: opened },
      };
    },
  });
  return { app, jobArmed, schema };
}

describe('the outbox relay of a kit subgraph', () => {
  let kit: KitApp;
  let db: pg.Pool;
  beforeAll(async () => {
    kit = await startKitApp();
    db = new pg.Pool({
      connectionString: subgraphDatabase('kit', { databaseUrl: databaseUrlForSchema(kit.schema) })
        .connectionString,
      max: 1,
    });
    // Its first pass, at start, is over: from now on only a wake publishes within the minute.
    await until(
      async () => (await outboxPending.get()).values.some((value) => value.labels.source === 'kit'),
      'the first relay pass',
    );
  });
  afterAll(async () => {
    await kit.app.stop();
    await db.end();
    const { connectionString } = subgraphDatabase('kit', { databaseUrl: databaseUrlForSchema(kit.schema) });
    await dropSchema(connectionString, kit.schema);
  });

  const published = async (type: string) => {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${kit.schema}".outbox_events WHERE type = $1 AND published_at IS NOT NULL`,
      [type],
    );
    return rows[0]!.n === 1;
  };

  it('publishes what a mutation wrote as soon as it commits', async () => {
    const gql = createGraphQLClient(kit.app.url);
    expect((await gql<{ ping: boolean }>({ query: 'mutation { ping }' })).data).toEqual({ ping: true });
    await until(() => published('kit.mutated'), 'the mutation event', 5000);
  });

  it('publishes what a job wrote as soon as it commits', async () => {
    kit.jobArmed.value = true;
    await until(() => published('kit.job'), 'the job event', 5000);
  });

  it('publishes what an event handler wrote as soon as it commits', async () => {
    const producer = new HttpEventPublisher({
      source: 'elsewhere',
      secret: SECRET,
      targets: [{ consumer: 'kit', inboxUrl: eventInboxUrl(kit.app.url), bindings: ['kit.ping'] }],
      logger: silent,
    });
    await producer.publish([
      {
        id: '6f1d8a52-2f7b-4d47-9d3e-5b8f0c1a2e3d',
        type: 'kit.ping',
        occurredAt: new Date().toISOString(),
        actor: null,
        organizationIds: [],
        data: {},
        source: 'elsewhere',
      },
    ]);
    await producer.close();
    await until(() => published('kit.handled'), 'the event handler event', 5000);
  });
});

describe('stopping a kit subgraph', () => {
  it('stops accepting, then waits for the job in flight, then relay, bus, pub/sub, Prisma, its own resources', async () => {
    const closed: string[] = [];
    const collaborators: Partial<KitCollaborators> = {
      startOutboxRelay: (options) => {
        const relay = startOutboxRelay(options);
        return { wake: () => relay.wake(), stop: () => relay.stop().then(() => void closed.push('relay')) };
      },
      createEventBus: (...args) => {
        const opened = createSubgraphEventBus(...args);
        return { ...opened, close: () => opened.close().then(() => void closed.push('bus')) };
      },
      createPubSub: (options) => {
        const opened = createPubSub(options);
        const close = opened.close.bind(opened);
        opened.close = () => close().then(() => void closed.push('pub/sub'));
        return opened;
      },
    };
    TinyPrisma.disconnected = () => closed.push('prisma');

    let started!: () => void;
    const jobStarted = new Promise<void>((resolve) => (started = resolve));
    let finishJob!: () => void;
    const { app, schema } = await startKitApp({
      job: () => {
        started();
        return new Promise<void>((resolve) => (finishJob = resolve)).then(() => void closed.push('job'));
      },
      close: async () => void closed.push('own resources'),
      collaborators,
    });
    try {
      await jobStarted;
      const stopping = app.stop();
      // The server is closed (connections refused) while the job still runs; nothing else is yet.
      const live = `${new URL(app.url).origin}/health/live`;
      await until(
        () =>
          fetch(live, { signal: AbortSignal.timeout(300) }).then(
            () => false,
            () => true,
          ),
        'the server to refuse connections',
      );
      expect(closed).toEqual([]);
      finishJob();
      await stopping;
      expect(closed).toEqual(['job', 'relay', 'bus', 'pub/sub', 'prisma', 'own resources']);
    } finally {
      TinyPrisma.disconnected = undefined;
      const { connectionString } = subgraphDatabase('kit', { databaseUrl: databaseUrlForSchema(schema) });
      await dropSchema(connectionString, schema);
    }
  });
});
