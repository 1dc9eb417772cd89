import {
  platformCurrencySchema,
  subgraphConfigReader,
  subgraphEnvironmentShape,
  type SubgraphCommonConfig,
  type SubgraphConfigReader,
} from '@flow/subgraph-kit';
import { z } from '@flow/core';

export const pricingEnvironmentShape = {
  ...subgraphEnvironmentShape('pricing', 8006),
  PLATFORM_CURRENCY: platformCurrencySchema(),
  /**
   * How long users' answer about a vendor (kind, status) is reused by compareOffers; at most a
   * second, so that a suspension or an approval shows in offers within one. 0: asked every time.
   */
  ORGANIZATION_STATUS_CACHE_MS: z.coerce.number().int().min(0).max(1000).default(1000),
};

export type PricingEnvironment = z.infer<z.ZodObject<typeof pricingEnvironmentShape>>;

export interface PricingConfig extends SubgraphCommonConfig {
  platformCurrency: string;
  organizationStatusCacheMs: number;
}

export const { parse: parsePricingConfig, load: loadPricingConfig }: SubgraphConfigReader<PricingConfig> =
  subgraphConfigReader('pricing', pricingEnvironmentShape, (env) => ({
    platformCurrency: env.PLATFORM_CURRENCY,
    organizationStatusCacheMs: env.ORGANIZATION_STATUS_CACHE_MS,
  }));
