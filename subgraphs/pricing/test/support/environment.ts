import { createLogger } from '@flow/core';
import { dropSchema, subgraphDatabase } from '@flow/subgraph-kit';
import {
  createGraphQLClient,
  databaseUrlForSchema,
  uniqueSchemaName,
  type GraphQLClient,
} from '@flow/testing';
import {
  createTestEnvironment as startUsers,
  LOGIN,
  REGISTER,
  registration,
  type AuthPayload,
  type UsersTestEnvironment,
} from '@flow/users/testing';
import { startPricingApp, type PricingApp } from '../../src/app';
import { parsePricingConfig } from '../../src/env';
import { InventoryStandIn, LocationsStandIn } from './stand-ins';

export interface PricingTestEnvironment {
  pricing: PricingApp;
  /** GraphQL straight to pricing (no router: development mode accepts unsigned calls). */
  gql: GraphQLClient;
  users: UsersTestEnvironment;
  locations: LocationsStandIn;
  inventory: InventoryStandIn;
  /** SQL statements pricing sent since the last clear. */
  statements: string[];
  adminToken: string;
  stop: () => Promise<void>;
}

/**
 * The REAL users subgraph, stand-ins for locations and inventory, and pricing: each on a port of
 * its own over real HTTP, users and pricing in Postgres schemas of their own, dropped at stop.
 * `overrides` are pricing's environment (e.g. LOCATIONS_URL pointing at a dead dependency).
 */
export async function createPricingTestEnvironment(
  overrides: Record<string, string> = {},
): Promise<PricingTestEnvironment> {
  const users = await startUsers();
  const jwksUrl = `${new URL(users.app.url).origin}/.well-known/jwks.json`;
  const locations = await LocationsStandIn.start({ jwksUrl });
  const inventory = await InventoryStandIn.start({ jwksUrl });
  const databaseUrl = databaseUrlForSchema(uniqueSchemaName('pricing_test'));
  const config = parsePricingConfig({
    FLOW_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    DATABASE_URL: databaseUrl,
    USERS_URL: users.app.url,
    LOCATIONS_URL: locations.server.url,
    INVENTORY_URL: inventory.server.url,
    JWKS_COOLDOWN_SECONDS: '0',
    ...overrides,
  });
  const statements: string[] = [];
  const pricing = await startPricingApp(config, createLogger('pricing', config.logLevel), {
    onQuery: (sql) => statements.push(sql),
  });
  const login = await users.gql<{ login: AuthPayload }>({
    query: LOGIN,
    variables: { email: users.admin.email, password: users.admin.password },
  });
  return {
    pricing,
    gql: createGraphQLClient(pricing.url),
    users,
    locations,
    inventory,
    statements,
    adminToken: login.data!.login.accessToken,
    stop: async () => {
      await pricing.stop();
      await Promise.all([locations.server.stop(), inventory.server.stop()]);
      await users.stop();
      const database = subgraphDatabase('pricing', { databaseUrl });
      await dropSchema(database.connectionString, database.schema);
    },
  };
}

export interface Organization {
  id: string;
  token: string;
}

/** Registers an organization through users; vendors are approved unless `approve` is false. */
export async function registerOrganization(
  t: PricingTestEnvironment,
  kind: 'HOSPITAL' | 'VENDOR',
  approve = true,
): Promise<Organization> {
  const result = await t.users.gql<{ registerOrganization: AuthPayload }>({
    query: REGISTER,
    variables: { input: registration(kind) },
  });
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  const { accessToken, user } = result.data.registerOrganization;
  if (kind === 'VENDOR' && approve) {
    const approved = await t.users.gql({
      query: 'mutation ($id: ID!) { approveOrganization(id: $id) { status } }',
      variables: { id: user.organization.id },
      token: t.adminToken,
    });
    if (approved.errors) throw new Error(JSON.stringify(approved.errors));
  }
  return { id: user.organization.id, token: accessToken };
}
