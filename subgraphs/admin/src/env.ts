import { defineSubgraphConfig, platformCurrencySchema } from '@flow/subgraph-kit';

export const {
  environmentShape: adminEnvironmentShape,
  parse: parseAdminConfig,
  load: loadAdminConfig,
} = defineSubgraphConfig({
  name: 'admin',
  variables: { PLATFORM_CURRENCY: platformCurrencySchema() },
  toConfig: (env) => ({
    /** The currency of grossMerchandiseValue: orders in another currency are not added in. */
    platformCurrency: env.PLATFORM_CURRENCY,
  }),
});

export type AdminConfig = ReturnType<typeof parseAdminConfig>;
