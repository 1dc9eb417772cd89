import { defineSubgraphConfig, platformCurrencySchema } from '@flow/subgraph-kit';
import { z } from '@flow/core';

export const {
  environmentShape: pricingEnvironmentShape,
  parse: parsePricingConfig,
  load: loadPricingConfig,
} = defineSubgraphConfig({
  name: 'pricing',
  variables: {
    PLATFORM_CURRENCY: platformCurrencySchema(),
    /**
     * How long users' answer about a vendor (kind, status) is reused by compareOffers; at most a
     * second, so that a suspension or an approval shows in offers within one. 0: asked every time.
     */
    ORGANIZATION_STATUS_CACHE_MS: z.coerce.number().int().min(0).max(1000).default(1000),
  },
  toConfig: (env) => ({
    platformCurrency: env.PLATFORM_CURRENCY,
    organizationStatusCacheMs: env.ORGANIZATION_STATUS_CACHE_MS,
  }),
});

export type PricingConfig = ReturnType<typeof parsePricingConfig>;
