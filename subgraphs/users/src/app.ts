import { join } from 'node:path';
import type { Express } from 'express';
import {
  CLOCK_TOLERANCE_SECONDS,
  createEventBus,
  createTokenVerifier,
  httpEventTargets,
  startOutboxRelay,
  startSubgraphServer,
  httpServerPolicyFromEnv,
  SuspendedOrganizations,
  quoteIdentifier,
  openSubgraphDatabase,
  type Logger,
  type OutboxRelay,
  type RunningSubgraph,
} from '@flow/platform';
import { createLocalJWKSet } from 'jose';
import pg from 'pg';
import {
  accountsWithPublicPasswords,
  bootstrapPlatformAdmin,
  DEVELOPMENT_ADMIN,
  seedDemoData,
} from './bootstrap';
import type { Context } from './context';
import { createUsersPrisma, type UsersPrisma } from './db';
import { usersEventsConfig, type UsersEnvironment } from './env';
import { SigningKeyStore } from './keys/signing-keys';
import { createLoaders } from './loaders';
import { createUsersServices, type UsersServices } from './services';
import { mountOAuthTokenRoute } from './oauth-token-route';
import { buildUsersSchema } from './subgraph';

export const migrationsDir = join(__dirname, '..', '..', '..', 'prisma', 'users', 'migrations');
export const JWKS_PATH = '/.well-known/jwks.json';

export interface UsersApp extends RunningSubgraph {
  services: UsersServices;
  keys: SigningKeyStore;
  prisma: UsersPrisma;
}

export interface UsersAppOptions {
  /** Sees every SQL statement (tests count them to prove lists do not cost a query per item). */
  onQuery?: (sql: string) => void;
}

/** Starts the users subgraph: migrate, bootstrap the platform admin, serve, publish the outbox. */
export async function startUsersApp(
  env: UsersEnvironment,
  logger: Logger,
  options: UsersAppOptions = {},
): Promise<UsersApp> {
  const database = await openSubgraphDatabase(
    'users',
    {
      databaseUrl: env.DATABASE_URL,
      ownDatabaseUrl: env.USERS_DATABASE_URL,
      statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
    },
    migrationsDir,
    logger,
  );

  const prisma = createUsersPrisma(database, options.onQuery);
  let relay: OutboxRelay | null = null;
  // The authority: the organizations table, read on a small pool of its own (like the outbox
  // relay's), so the reloads never count among the statements of the requests (flow_db_statements_total).
  const suspensionPool = new pg.Pool({
    connectionString: database.connectionString,
    max: 1,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    application_name: 'flow-users-suspensions',
  });
  suspensionPool.on('error', (error) =>
    logger.warn({ err: error }, 'suspensions: idle database connection lost'),
  );
  const suspensions = new SuspendedOrganizations({
    load: async () => {
      const schema = quoteIdentifier(database.schema);
      const organizations = await suspensionPool.query<{ id: string }>(
        `SELECT id FROM ${schema}.organizations WHERE status = 'SUSPENDED'`,
      );
      // Only those a token could still be valid for: the list stays short however many are revoked.
      const revoked = await suspensionPool.query<{ id: string }>(
        `SELECT id FROM ${schema}.client_applications
         WHERE status = 'REVOKED' AND revoked_at > now() - make_interval(secs => $1)`,
        [env.MAX_TOKEN_AGE_SECONDS + CLOCK_TOLERANCE_SECONDS + 60],
      );
      // A secret ends by time too (its overlap runs out): each reload asks the database's clock.
      const ended = await suspensionPool.query<{ id: string }>(
        `SELECT id FROM ${schema}.client_secrets
         WHERE expires_at <= now() AND expires_at > now() - make_interval(secs => $1)`,
        [env.MAX_TOKEN_AGE_SECONDS + CLOCK_TOLERANCE_SECONDS + 60],
      );
      return {
        organizationIds: organizations.rows.map((row) => row.id),
        revokedClientApplicationIds: revoked.rows.map((row) => row.id),
        endedClientSecretIds: ended.rows.map((row) => row.id),
      };
    },
    logger: logger.child({ component: 'suspensions' }),
    refreshMs: env.SUSPENSION_REFRESH_MS,
    failClosed: env.FLOW_ENV === 'production',
  });
  const keys = await SigningKeyStore.open({
    json: env.JWT_SIGNING_KEYS,
    file: env.JWT_SIGNING_KEYS_FILE ?? join(env.FLOW_DATA_DIR, 'keys', 'users-signing-keys.json'),
    createIfMissing: env.FLOW_ENV !== 'production',
  });
  const services = createUsersServices({
    prisma,
    keys,
    logger,
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
    signInThrottle: {
      address: {
        maxFailures: env.LOGIN_MAX_FAILURES,
        baseSeconds: env.LOGIN_LOCKOUT_BASE_SECONDS,
        maxSeconds: env.LOGIN_LOCKOUT_MAX_SECONDS,
      },
      account: {
        failuresPerWindow: env.LOGIN_ACCOUNT_FAILURES_PER_WINDOW,
        windowSeconds: env.LOGIN_ACCOUNT_WINDOW_SECONDS,
        trustedAddressDays: env.LOGIN_TRUSTED_ADDRESS_DAYS,
      },
    },
    passwordLog2Cost: env.PASSWORD_SCRYPT_LOG2_COST,
    // Rows written before the relay starts (bootstrap, seed) go out on its first pass.
    // A suspension or reinstatement is enforced here at once, not at the next reload.
    eventsWritten: () => {
      relay?.wake();
      void suspensions.refresh();
    },
    partnerTokenTtlSeconds: env.PARTNER_TOKEN_TTL_SECONDS,
    clientAccessEnded: () => void suspensions.refresh(),
  });

  const admin = {
    email: env.FLOW_ADMIN_EMAIL ?? DEVELOPMENT_ADMIN.email,
    password: env.FLOW_ADMIN_PASSWORD ?? DEVELOPMENT_ADMIN.password,
  };
  await bootstrapPlatformAdmin(prisma, services.passwords, admin, logger);
  if (env.FLOW_ENV === 'production') {
    const exposed = await accountsWithPublicPasswords(prisma, services.passwords);
    if (exposed.length) {
      await prisma.$disconnect();
      throw new Error(
        `production refuses to start while these accounts sign in with the README's demo passwords: ${exposed.join(', ')} (change their passwords or delete them)`,
      );
    }
  }
  if (env.SEED_DEMO_DATA) await seedDemoData(prisma, services.passwords, logger);

  const events = usersEventsConfig(env);
  const bus = createEventBus({
    source: 'users',
    logger,
    amqpUrl: events.amqpUrl,
    exchange: events.exchange,
    queuePrefix: events.queuePrefix,
    secret: env.ROUTER_SIGNING_SECRET,
    httpTargets: httpEventTargets(events.subgraphUrls),
  });

  // users verifies tokens against its own published keys: the same set the router fetches.
  const verifyToken = createTokenVerifier({
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    keys: (header, token) => createLocalJWKSet(keys.jwks())(header, token),
    maxTokenAgeSeconds: env.MAX_TOKEN_AGE_SECONDS,
  });

  const server = await startSubgraphServer<Context>({
    name: 'users',
    schema: buildUsersSchema(),
    logger,
    port: env.PORT,
    host: env.HOST,
    production: env.FLOW_ENV === 'production',
    routerSecret: env.ROUTER_SIGNING_SECRET,
    verifyToken,
    suspensions,
    // The others poll this process's list, not the database: N pollers cost no statement.
    serveSuspendedOrganizations: async () => {
      if (!suspensions.loaded) throw new Error('the suspension list is not loaded yet');
      return {
        organizationIds: suspensions.list(),
        revokedClientApplicationIds: suspensions.revokedClientApplications(),
        endedClientSecretIds: suspensions.endedClientSecrets(),
      };
    },
    http: httpServerPolicyFromEnv(env),
    maxDeadlineMs: env.REQUEST_DEADLINE_MAX_MS,
    buildContext: (base) => ({
      ...base,
      services,
      loaders: createLoaders(prisma),
      signedInUserIds: new Set(),
    }),
    readiness: { database: () => prisma.$queryRaw`SELECT 1` },
    // Not fatal: sign-in does not need the broker, and the outbox waits for it.
    degradable: { broker: () => bus.check() },
    routes: (app: Express) => {
      app.get(JWKS_PATH, (_req, res) => {
        res.set('cache-control', 'public, max-age=60');
        res.json(keys.jwks());
      });
      mountOAuthTokenRoute(app, {
        clients: services.clients,
        routerSecret: env.ROUTER_SIGNING_SECRET,
        production: env.FLOW_ENV === 'production',
        logger: logger.child({ component: 'oauth' }),
      });
    },
    close: async () => {
      await relay?.stop();
      await bus.close();
      await suspensionPool.end();
      await prisma.$disconnect();
    },
  });
  relay = startOutboxRelay({
    source: 'users',
    database,
    publisher: bus.publisher,
    logger,
    intervalMs: events.outboxIntervalMs,
  });
  return { ...server, services, keys, prisma };
}
