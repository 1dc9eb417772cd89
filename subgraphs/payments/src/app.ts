import { join } from 'node:path';
import {
  consumedEventTypes,
  createRemoteTokenVerifier,
  subgraphSuspendedOrganizations,
  createSubgraphEventBus,
  startOutboxRelay,
  startSubgraphServer,
  openSubgraphDatabase,
  type Logger,
  type OutboxRelay,
  type RunningSubgraph,
} from '@flow/platform';
import type { Context } from './context';
import { createPaymentsPrisma } from './db';
import type { PaymentsConfig } from './env';
import { createLoaders } from './loaders';
import { createPaymentsServices, type PaymentsServices } from './services';
import { SimulatedProvider, type PaymentProvider } from './services/provider';
import { buildPaymentsSchema } from './subgraph';

export const migrationsDir = join(__dirname, '..', '..', '..', 'prisma', 'payments', 'migrations');

const MAINTENANCE_INTERVAL_MS = 60_000;

export interface PaymentsApp extends RunningSubgraph {
  services: PaymentsServices;
  provider: PaymentProvider;
}

export interface PaymentsAppOptions {
  /** Sees every SQL statement (tests count them to prove lists do not cost a query per item). */
  onQuery?: (sql: string) => void;
  /** The card provider; the built-in simulated one by default (the only one so far). */
  provider?: PaymentProvider;
}

/**
 * Starts the payments subgraph: migrate, consume the orders events (which driver has which order),
 * serve, publish the outbox, and every minute void unknown authorisations and forget old keys.
 */
export async function startPaymentsApp(
  config: PaymentsConfig,
  logger: Logger,
  options: PaymentsAppOptions = {},
): Promise<PaymentsApp> {
  const database = await openSubgraphDatabase('payments', config, migrationsDir, logger);
  const prisma = createPaymentsPrisma(database, options.onQuery);
  const provider = options.provider ?? new SimulatedProvider();
  const services = createPaymentsServices({
    prisma,
    provider,
    platformCurrency: config.platformCurrency,
    providerTimeoutMs: config.providerTimeoutMs,
    logger,
  });

  const bus = createSubgraphEventBus('payments', config, logger);
  await bus.consume({
    consumer: 'payments',
    bindings: consumedEventTypes('payments'),
    handler: services.orderDrivers.handle,
  });
  let relay: OutboxRelay | null = null;

  const maintain = async () => {
    try {
      await services.payments.recoverUnknownAuthorizations();
      await services.keys.deleteOlderThan(config.idempotencyKeyTtlHours);
    } catch (error) {
      logger.warn({ err: error }, 'payments maintenance failed; will retry');
    } finally {
      relay?.wake();
    }
  };
  const timer = setInterval(() => void maintain(), MAINTENANCE_INTERVAL_MS);
  timer.unref();

  const server = await startSubgraphServer<Context>({
    name: 'payments',
    schema: buildPaymentsSchema(),
    logger,
    port: config.port,
    host: config.host,
    production: config.production,
    routerSecret: config.routerSecret,
    http: config.http,
    maxDeadlineMs: config.maxDeadlineMs,
    verifyToken: createRemoteTokenVerifier(config.jwt),
    suspensions: subgraphSuspendedOrganizations(config, logger),
    buildContext: (base) => ({ ...base, services, loaders: createLoaders(prisma) }),
    readiness: { database: () => prisma.$queryRaw`SELECT 1` },
    degradable: { broker: () => bus.check() },
    eventBus: bus,
    // A mutation's transactions (and their outbox rows) are committed once its response is sent.
    routes: (app) =>
      app.use('/graphql', (req, res, next) => {
        res.on('finish', () => {
          if (isMutation(req.body)) relay?.wake();
        });
        next();
      }),
    close: async () => {
      clearInterval(timer);
      await relay?.stop();
      await bus.close();
      await prisma.$disconnect();
    },
  });
  relay = startOutboxRelay({
    source: 'payments',
    database,
    publisher: bus.publisher,
    logger,
    intervalMs: config.events.outboxIntervalMs,
  });
  return { ...server, services, provider };
}

/** Close enough: a false positive costs one outbox poll. */
function isMutation(body: unknown): boolean {
  const query = (body as { query?: unknown } | undefined)?.query;
  return typeof query === 'string' && /\bmutation\b/.test(query);
}
