import { subgraphConfigReader, subgraphEnvironmentShape, z, type SubgraphCommonConfig } from '@flow/platform';

export const paymentsEnvironmentShape = {
  ...subgraphEnvironmentShape('payments', 8008),
  /** The one currency of every price and fee on the platform (ISO 4217). */
  PLATFORM_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code in capitals, e.g. USD')
    .default('USD'),
  /** How long an authorisation may take at the provider before the payment is FAILED. */
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(10).max(120_000).default(5000),
  /** Idempotency keys are kept at least this long (at least 24 hours, as promised to callers). */
  IDEMPOTENCY_KEY_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(24)
    .max(24 * 365)
    .default(48),
};

export type PaymentsEnvironment = z.infer<z.ZodObject<typeof paymentsEnvironmentShape>>;

export interface PaymentsConfig extends SubgraphCommonConfig {
  platformCurrency: string;
  providerTimeoutMs: number;
  idempotencyKeyTtlHours: number;
}

const reader = subgraphConfigReader('payments', paymentsEnvironmentShape, (env) => ({
  platformCurrency: env.PLATFORM_CURRENCY,
  providerTimeoutMs: env.PROVIDER_TIMEOUT_MS,
  idempotencyKeyTtlHours: env.IDEMPOTENCY_KEY_TTL_HOURS,
}));

/** Parses and checks the environment; throws naming every bad variable (tests use this). */
export const parsePaymentsConfig = (source: NodeJS.ProcessEnv): PaymentsConfig => reader.parse(source);
/** Like parsePaymentsConfig, but prints the problems and exits non-zero: for server.ts. */
export const loadPaymentsConfig = (): PaymentsConfig => reader.load();
