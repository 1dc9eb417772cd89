import { join } from 'node:path';
import type { GraphQLSchema } from 'graphql';
import { createRemoteTokenVerifier, type TokenVerifier } from '@flow/core';
import { subgraphSuspendedOrganizations, type SuspendedOrganizations } from '@flow/core';
import type { SubgraphDatabase } from '../db/database-url';
import { openSubgraphDatabase } from '../db/migrations';
import { createSubgraphEventBus } from '@flow/messaging';
import { startOutboxRelay, type OutboxRelay } from '../events/outbox-relay';
import type { DomainEventHandler, EventBus } from '@flow/messaging';
import type { Logger } from '@flow/core';
import { createPubSub } from '@flow/live';
import type { PubSub } from '@flow/live';
import type { SubgraphCommonConfig } from '../subgraph-env';
import {
  startSubgraphServer,
  type BaseContext,
  type RunningSubgraph,
  type SubgraphServerOptions,
} from '../subgraph-server';
import { subgraphCatalog, type SubgraphCatalogEntry } from '@flow/core';
import { startJobs, type SubgraphJob } from './jobs';
import {
  createSubgraphPrisma,
  type CreateSubgraphPrismaOptions,
  type PrismaClientClass,
  type SubgraphPrismaClient,
} from './prisma';

/** Where a subgraph's migrations are: `prisma/<name>/migrations` at the repository's root. */
export const subgraphMigrationsDir = (name: string) =>
  join(__dirname, '..', '..', '..', '..', 'prisma', name, 'migrations');

/** What the kit reads of a subgraph's configuration (SubgraphCommonConfig has all of it). */
export type SubgraphKitConfig = Pick<
  SubgraphCommonConfig,
  | 'host'
  | 'port'
  | 'production'
  | 'routerSecret'
  | 'http'
  | 'maxDeadlineMs'
  | 'databaseUrl'
  | 'ownDatabaseUrl'
  | 'statementTimeoutMs'
  | 'redis'
  | 'events'
  | 'subgraphUrls'
>;

/** Where live updates go (the router's subscriptions read them). */
export interface LivePublisher {
  publish(topic: string, message: unknown): Promise<void>;
}

/** The options every subgraph's start function takes (tests pass them). */
export interface SubgraphStartOptions {
  /** Sees every SQL statement (tests count them to prove lists do not cost a query per item). */
  onQuery?: (sql: string) => void;
  /**
   * For a subgraph whose catalog entry `publishesLive`: where live updates go instead of the
   * platform channel (tests pass one they subscribe to and close themselves); null: nowhere.
   */
  publisher?: LivePublisher | null;
}

/** What the kit has opened when the subgraph's own wiring runs. */
export interface SubgraphParts<Client> {
  prisma: Client;
  database: SubgraphDatabase;
  /** Live updates, for a subgraph whose catalog entry `publishesLive`; else null. */
  live: LivePublisher | null;
}

/** The subgraph's own part: its services, how a request's context is built, what runs in it. */
export interface SubgraphWiring<Context extends BaseContext, Exposed> {
  context: (base: BaseContext) => Context;
  /** Handles the domain events the catalog says the subgraph `consumes`. */
  handleEvent?: DomainEventHandler;
  jobs?: readonly SubgraphJob[];
  /** Server options beyond the kit's (extra routes, a local token verifier, ...). */
  server?: Partial<
    Pick<
      SubgraphServerOptions<Context>,
      'routes' | 'verifyToken' | 'suspensions' | 'serveSuspendedOrganizations' | 'degradable'
    >
  >;
  /** Closes the subgraph's own resources, last (after the Prisma client). */
  close?: () => Promise<void>;
  /** Returned with the running server (services, clients tests look into...). */
  expose: Exposed;
}

export interface SubgraphSpec<
  Config extends SubgraphKitConfig,
  ClientClass extends PrismaClientClass<SubgraphPrismaClient>,
  Context extends BaseContext,
  Exposed,
> {
  name: string;
  config: Config;
  logger: Logger;
  options?: SubgraphStartOptions;
  /** The subgraph's generated PrismaClient class. */
  PrismaClient: ClientClass;
  transactionOptions?: CreateSubgraphPrismaOptions['transactionOptions'];
  schema: () => GraphQLSchema;
  /** It records domain events in its `outbox_events`: the kit runs the relay that publishes them. */
  outbox?: boolean;
  /** Default: the subgraph's migrations at the repository root. */
  migrationsDir?: string;
  /** Default: the platform's catalog (tests pass their own). */
  catalog?: readonly SubgraphCatalogEntry[];
  wire: (
    parts: SubgraphParts<InstanceType<ClientClass>>,
  ) => SubgraphWiring<Context, Exposed> | Promise<SubgraphWiring<Context, Exposed>>;
  /** Default: the real ones (a test wraps them to watch what is opened and closed, and when). */
  collaborators?: Partial<KitCollaborators>;
}

/** What the kit opens besides the database; replaceable so a test can observe them. */
export interface KitCollaborators {
  createEventBus: typeof createSubgraphEventBus;
  createPubSub: typeof createPubSub;
  startOutboxRelay: typeof startOutboxRelay;
}

const realCollaborators: KitCollaborators = {
  createEventBus: createSubgraphEventBus,
  createPubSub,
  startOutboxRelay,
};

/** The token checks of a subgraph that trusts the users JWKS (every one but users itself). */
function remoteAuth(
  config: SubgraphKitConfig,
  logger: Logger,
): { verifyToken: TokenVerifier; suspensions: SuspendedOrganizations } {
  const common = config as Partial<SubgraphCommonConfig>;
  if (!common.jwt || common.suspensionRefreshMs === undefined || common.dependencyTimeoutMs === undefined)
    throw new Error('a subgraph without the users JWKS settings must bring its own verifyToken');
  return {
    verifyToken: createRemoteTokenVerifier(common.jwt),
    suspensions: subgraphSuspendedOrganizations(common as SubgraphCommonConfig, logger),
  };
}

/**
 * Starts one subgraph: migrate its database, open its Prisma client (every commit that wrote outbox
 * rows wakes the relay), its live channel and event bus as the catalog says, its own wiring, the
 * consumer, the server, the jobs and the relay. Stopping closes them in the reverse order: stop
 * accepting and drain, jobs, relay, bus, live channel, Prisma, the subgraph's own resources.
 */
export async function startSubgraph<
  Config extends SubgraphKitConfig,
  ClientClass extends PrismaClientClass<SubgraphPrismaClient>,
  Context extends BaseContext,
  Exposed,
>(spec: SubgraphSpec<Config, ClientClass, Context, Exposed>): Promise<RunningSubgraph & Exposed> {
  const { name, config, logger, options = {} } = spec;
  const entry = (spec.catalog ?? subgraphCatalog).find((candidate) => candidate.name === name);
  const consumes = entry?.consumes ?? [];
  const database = await openSubgraphDatabase(
    name,
    config,
    spec.migrationsDir ?? subgraphMigrationsDir(name),
    logger,
  );
  let relay: OutboxRelay | null = null;
  // The class's instance type, with the generated client's default type arguments.
  const prisma = createSubgraphPrisma(
    spec.PrismaClient as unknown as PrismaClientClass<InstanceType<ClientClass>>,
    database,
    {
      onQuery: options.onQuery,
      onOutboxCommit: () => relay?.wake(),
      transactionOptions: spec.transactionOptions,
    },
  );
  // Without it the first statement pays for loading Prisma's engine, and a readiness probe right
  // after start can time out on a busy machine.
  await prisma.$connect();
  const collaborators = { ...realCollaborators, ...spec.collaborators };
  const pubsub: PubSub | null =
    entry?.publishesLive && options.publisher === undefined
      ? collaborators.createPubSub({
          redisUrl: config.redis?.url,
          prefix: `${config.redis?.keyPrefix ?? 'flow:'}events:`,
          logger: logger.child({ component: 'pubsub' }),
        })
      : null;
  const live = entry?.publishesLive ? (options.publisher ?? pubsub) : null;

  let bus: EventBus | null = null;
  let wiring: SubgraphWiring<Context, Exposed>;
  try {
    wiring = await spec.wire({ prisma, database, live });
    bus = spec.outbox || consumes.length ? collaborators.createEventBus(name, config, logger) : null;
    if (consumes.length) {
      if (!wiring.handleEvent)
        throw new Error(`${name} consumes ${consumes.join(', ')} but has no handleEvent`);
      await bus!.consume({ consumer: name, bindings: consumes, handler: wiring.handleEvent });
    }
  } catch (error) {
    await bus?.close();
    await pubsub?.close();
    await prisma.$disconnect();
    throw error;
  }
  const jobs = startJobs(wiring.jobs ?? [], logger);

  const { server: extra = {} } = wiring;
  const auth = extra.verifyToken ? null : remoteAuth(config, logger);
  const closeResources = async () => {
    await jobs.stop();
    await relay?.stop();
    await bus?.close();
    await pubsub?.close();
    await prisma.$disconnect();
    await wiring.close?.();
  };
  const server = await startSubgraphServer<Context>({
    name,
    schema: spec.schema(),
    logger,
    port: config.port,
    host: config.host,
    production: config.production,
    routerSecret: config.routerSecret,
    http: config.http,
    maxDeadlineMs: config.maxDeadlineMs,
    verifyToken: extra.verifyToken ?? auth!.verifyToken,
    suspensions: extra.suspensions ?? auth?.suspensions,
    serveSuspendedOrganizations: extra.serveSuspendedOrganizations,
    buildContext: wiring.context,
    readiness: { database: () => prisma.$queryRawUnsafe('SELECT 1') },
    // The broker away: events wait in the outbox or the queue; queries still work.
    degradable: bus ? { broker: () => bus!.check(), ...extra.degradable } : extra.degradable,
    routes: extra.routes,
    eventBus: consumes.length ? bus! : undefined,
    events: pubsub ?? undefined,
    close: closeResources,
  }).catch(async (error: unknown) => {
    await closeResources();
    throw error;
  });
  if (spec.outbox && bus) {
    relay = collaborators.startOutboxRelay({
      source: name,
      database,
      publisher: bus.publisher,
      logger,
      intervalMs: config.events.outboxIntervalMs,
    });
  }
  return { ...server, ...wiring.expose };
}

/** How one start was called: the configuration, the logger and the options (tests pass them). */
export interface SubgraphStart<Config, Options extends SubgraphStartOptions> {
  config: Config;
  logger: Logger;
  options: Options;
}

/** A subgraph as one definition: startSubgraph's spec, with its wiring told how it was started. */
export interface SubgraphDefinition<
  Config extends SubgraphKitConfig,
  Options extends SubgraphStartOptions,
  ClientClass extends PrismaClientClass<SubgraphPrismaClient>,
  Context extends BaseContext,
  Exposed,
> extends Omit<
  SubgraphSpec<Config, ClientClass, Context, Exposed>,
  'config' | 'logger' | 'options' | 'wire'
> {
  /** Annotate `start` (SubgraphStart<MyConfig, MyOptions>): the start function takes those types. */
  wire: (
    parts: SubgraphParts<InstanceType<ClientClass>>,
    start: SubgraphStart<Config, Options>,
  ) => SubgraphWiring<Context, Exposed> | Promise<SubgraphWiring<Context, Exposed>>;
}

/**
 * A subgraph's start function from its definition: `startX(config, logger, options?)` opens and
 * wires everything as startSubgraph does, and resolves to the running server and what it exposes.
 */
export function defineSubgraph<
  Config extends SubgraphKitConfig,
  Options extends SubgraphStartOptions,
  ClientClass extends PrismaClientClass<SubgraphPrismaClient>,
  Context extends BaseContext,
  Exposed,
>(definition: SubgraphDefinition<Config, Options, ClientClass, Context, Exposed>) {
  return (
    config: Config,
    logger: Logger,
    options: Options = {} as Options,
  ): Promise<RunningSubgraph & Exposed> =>
    startSubgraph({
      ...definition,
      config,
      logger,
      options,
      wire: (parts) => definition.wire(parts, { config, logger, options }),
    });
}
