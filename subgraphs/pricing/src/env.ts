import {
  platformCurrencySchema,
  subgraphConfigReader,
  subgraphEnvironmentShape,
  type SubgraphCommonConfig,
} from '@flow/subgraph-kit';
import { z } from '@flow/core';

export const pricingEnvironmentShape = {
  ...subgraphEnvironmentShape('pricing', 8006),
  PLATFORM_CURRENCY: platformCurrencySchema(),
};

export type PricingEnvironment = z.infer<z.ZodObject<typeof pricingEnvironmentShape>>;

export interface PricingConfig extends SubgraphCommonConfig {
  platformCurrency: string;
}

const reader = subgraphConfigReader('pricing', pricingEnvironmentShape, (env) => ({
  platformCurrency: env.PLATFORM_CURRENCY,
}));

/** Parses and checks the environment; throws naming every bad variable (tests use this). */
export const parsePricingConfig = (source: NodeJS.ProcessEnv): PricingConfig => reader.parse(source);
/** Like parsePricingConfig, but prints the problems and exits non-zero: for server.ts. */
export const loadPricingConfig = (): PricingConfig => reader.load();
