import {
  defineSubgraphConfig,
  idempotencyKeyTtlHoursSchema,
  platformCurrencySchema,
} from '@flow/subgraph-kit';
import { z } from '@flow/core';

export const {
  environmentShape: paymentsEnvironmentShape,
  parse: parsePaymentsConfig,
  load: loadPaymentsConfig,
} = defineSubgraphConfig({
  name: 'payments',
  variables: {
    PLATFORM_CURRENCY: platformCurrencySchema(),
    /** How long an authorisation may take at the provider before the payment is FAILED. */
    PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(10).max(120_000).default(5000),
    IDEMPOTENCY_KEY_TTL_HOURS: idempotencyKeyTtlHoursSchema(),
  },
  toConfig: (env) => ({
    platformCurrency: env.PLATFORM_CURRENCY,
    providerTimeoutMs: env.PROVIDER_TIMEOUT_MS,
    idempotencyKeyTtlHours: env.IDEMPOTENCY_KEY_TTL_HOURS,
  }),
});

export type PaymentsConfig = ReturnType<typeof parsePaymentsConfig>;
