import { defineSubgraph, type SubgraphStart, type SubgraphStartOptions } from '@flow/subgraph-kit';
import type { Context } from './context';
import type { PaymentsConfig } from './env';
import { PrismaClient } from './generated/prisma/client';
import { createLoaders } from './loaders';
import { createPaymentsServices } from './services';
import { SimulatedProvider, type PaymentProvider } from './services/provider';
import { buildPaymentsSchema } from './subgraph';

const MAINTENANCE_INTERVAL_MS = 60_000;

export interface PaymentsAppOptions extends SubgraphStartOptions {
  /** The card provider; the built-in simulated one by default (the only one so far). */
  provider?: PaymentProvider;
}

/**
 * The payments subgraph: it consumes the orders events (which driver has which order), publishes
 * its outbox, and every minute voids unknown authorisations and forgets old keys.
 */
export const startPaymentsApp = defineSubgraph({
  name: 'payments',
  PrismaClient,
  schema: buildPaymentsSchema,
  outbox: true,
  wire: ({ prisma }, { config, logger, options }: SubgraphStart<PaymentsConfig, PaymentsAppOptions>) => {
    const provider = options.provider ?? new SimulatedProvider();
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
      context: (base): Context => ({ ...base, services, loaders: createLoaders(prisma) }),
      handleEvent: services.orderDrivers.handle,
      jobs: [{ name: 'payments maintenance', everyMs: MAINTENANCE_INTERVAL_MS, run: maintain }],
      expose: { services, provider },
    };
  },
});

export type PaymentsApp = Awaited<ReturnType<typeof startPaymentsApp>>;
