import {
  platformCurrencySchema,
  subgraphConfigReader,
  subgraphEnvironmentShape,
  type SubgraphCommonConfig,
  type SubgraphConfigReader,
} from '@flow/subgraph-kit';

export const adminEnvironmentShape = {
  ...subgraphEnvironmentShape('admin', 8011),
  PLATFORM_CURRENCY: platformCurrencySchema(),
};

export interface AdminConfig extends SubgraphCommonConfig {
  /** The currency of grossMerchandiseValue: orders in another currency are not added in. */
  platformCurrency: string;
}

export const { parse: parseAdminConfig, load: loadAdminConfig }: SubgraphConfigReader<AdminConfig> =
  subgraphConfigReader('admin', adminEnvironmentShape, (env) => ({
    platformCurrency: env.PLATFORM_CURRENCY,
  }));
