import {
  platformCurrencySchema,
  subgraphConfigReader,
  subgraphEnvironmentShape,
  type SubgraphCommonConfig,
} from '@flow/subgraph-kit';

export const adminEnvironmentShape = {
  ...subgraphEnvironmentShape('admin', 8011),
  PLATFORM_CURRENCY: platformCurrencySchema(),
};

export interface AdminConfig extends SubgraphCommonConfig {
  /** The currency of grossMerchandiseValue: orders in another currency are not added in. */
  platformCurrency: string;
}

const reader = subgraphConfigReader('admin', adminEnvironmentShape, (env) => ({
  platformCurrency: env.PLATFORM_CURRENCY,
}));

/** Parses and checks the environment; throws naming every bad variable (tests use this). */
export const parseAdminConfig = (source: NodeJS.ProcessEnv): AdminConfig => reader.parse(source);
/** Like parseAdminConfig, but prints the problems and exits non-zero: for server.ts. */
export const loadAdminConfig = (): AdminConfig => reader.load();
