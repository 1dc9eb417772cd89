import {
  platformCurrencySchema,
  idempotencyKeyTtlHoursSchema,
  subgraphConfigReader,
  subgraphEnvironmentShape,
  type SubgraphCommonConfig,
  type SubgraphConfigReader,
} from '@flow/subgraph-kit';
import { z } from '@flow/core';

export const paymentsEnvironmentShape = {
  ...subgraphEnvironmentShape('payments', 8008),
  PLATFORM_CURRENCY: platformCurrencySchema(),
  /** How long an authorisation may take at the provider before the payment is FAILED. */
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(10).max(120_000).default(5000),
  IDEMPOTENCY_KEY_TTL_HOURS: idempotencyKeyTtlHoursSchema(),
};

export type PaymentsEnvironment = z.infer<z.ZodObject<typeof paymentsEnvironmentShape>>;

export interface PaymentsConfig extends SubgraphCommonConfig {
  platformCurrency: string;
  providerTimeoutMs: number;
  idempotencyKeyTtlHours: number;
}

export const { parse: parsePaymentsConfig, load: loadPaymentsConfig }: SubgraphConfigReader<PaymentsConfig> =
  subgraphConfigReader('payments', paymentsEnvironmentShape, (env) => ({
    platformCurrency: env.PLATFORM_CURRENCY,
    providerTimeoutMs: env.PROVIDER_TIMEOUT_MS,
    idempotencyKeyTtlHours: env.IDEMPOTENCY_KEY_TTL_HOURS,
  }));
