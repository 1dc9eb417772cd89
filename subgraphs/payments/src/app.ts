import { startSubgraph, subgraphMigrationsDir, type Logger, type RunningSubgraph } from '@flow/platform';
import type { PaymentsConfig } from './env';
import { PrismaClient } from './generated/prisma/client';
import { createLoaders } from './loaders';
import { createPaymentsServices, type PaymentsServices } from './services';
import { SimulatedProvider, type PaymentProvider } from './services/provider';
import { buildPaymentsSchema } from './subgraph';

export const migrationsDir = subgraphMigrationsDir('payments');

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
 * The payments subgraph: it consumes the orders events (which driver has which order), publishes
 * its outbox, and every minute voids unknown authorisations and forgets old keys.
 */
export function startPaymentsApp(
  config: PaymentsConfig,
  logger: Logger,
  options: PaymentsAppOptions = {},
): Promise<PaymentsApp> {
  const provider = options.provider ?? new SimulatedProvider();
  return startSubgraph({
    name: 'payments',
    config,
    logger,
    options,
    PrismaClient,
    schema: buildPaymentsSchema,
    outbox: true,
    wire: ({ prisma }) => {
      const services = createPaymentsServices({
        prisma,
        provider,
        platformCurrency: config.platformCurrency,
        providerTimeoutMs: config.providerTimeoutMs,
        logger,
      });
      const maintain = async () => {
        await services.payments.recoverUnknownAuthorizations();
        await services.keys.deleteOlderThan(config.idempotencyKeyTtlHours);
      };
      return {
        context: (base) => ({ ...base, services, loaders: createLoaders(prisma) }),
        handleEvent: services.orderDrivers.handle,
        jobs: [{ name: 'payments maintenance', everyMs: MAINTENANCE_INTERVAL_MS, run: maintain }],
        expose: { services, provider },
      };
    },
  });
}
