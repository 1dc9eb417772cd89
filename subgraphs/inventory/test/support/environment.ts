// The inventory subgraph on a port of its own, in a Postgres schema of its own, next to the real
// locations subgraph (production mode: it refuses any call without a valid router signature, so
// inventory's calls to it prove they are signed). Everything is dropped at stop.
import pg from 'pg';
import { createLogger, type Role } from '@flow/core';
import { dropSchema, subgraphDatabase, withSearchPath } from '@flow/subgraph-kit';
import {
  createGraphQLClient,
  createSignedClient,
  databaseUrlForSchema,
  uniqueSchemaName,
  type GraphQLClient,
} from '@flow/testing';

/** Re-exported: the inventory tests sign as the router or as the orders service. */
export { createSignedClient };
import { parseLocationsConfig, startLocationsApp, type LocationsApp } from '@flow/locations';
import { startInventoryApp, type InventoryApp, type InventoryAppOptions } from '../../src/app';
import { parseInventoryConfig } from '../../src/env';
import { startTokenIssuer, type Actor, type TokenIssuer } from './keys';

export const ROUTER_SECRET = 'inventory-tests-router-signing-secret-0123456789';

export interface InventoryTestEnvironment {
  app: InventoryApp;
  locations: LocationsApp;
  gql: GraphQLClient;
  tokens: TokenIssuer;
  actor(role: Role, organizationId?: string): Promise<Actor>;
  /** A depot of the actor's organization, created in locations as its vendor admin would. */
  createDepot(vendor: Actor): Promise<string>;
  /** A hospital site, for "that is not a depot". */
  createHospitalSite(hospital: Actor): Promise<string>;
  /** SQL straight on the inventory schema (tables unqualified). */
  sql<Row extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<Row[]>;
  /** A fresh client on the inventory schema, for tests that need a session of their own. */
  connect(): Promise<pg.Client>;
  stop(): Promise<void>;
}

export interface EnvironmentOptions extends InventoryAppOptions {
  env?: Record<string, string>;
}

const CREATE_SITE = /* GraphQL */ `
  mutation ($input: CreateSiteInput!) {
    createSite(input: $input) {
      id
    }
  }
`;

export async function createTestEnvironment(
  options: EnvironmentOptions = {},
): Promise<InventoryTestEnvironment> {
  const tokens = await startTokenIssuer();
  const logger = createLogger('inventory-test', 'silent');
  const locationsSchema = uniqueSchemaName('inventory_test_locations');
  const inventorySchema = uniqueSchemaName('inventory_test');
  const common = {
    LOG_LEVEL: 'silent',
    PORT: '0',
    USERS_JWKS_URL: tokens.jwksUrl,
    USERS_URL: tokens.usersUrl,
    JWKS_COOLDOWN_SECONDS: '0',
    ROUTER_SIGNING_SECRET: ROUTER_SECRET,
  };
  const locations = await startLocationsApp(
    parseLocationsConfig({
      ...common,
      FLOW_ENV: 'production',
      DATABASE_URL: databaseUrlForSchema(locationsSchema),
    }),
    logger,
  );
  const config = parseInventoryConfig({
    ...common,
    FLOW_ENV: 'test',
    DATABASE_URL: databaseUrlForSchema(inventorySchema),
    LOCATIONS_URL: locations.url,
    // The tests run the expiry job themselves unless they ask for the timer.
    RESERVATION_SWEEP_SECONDS: '3600',
    DEPENDENCY_TIMEOUT_MS: '2000',
    ...options.env,
  });
  const app = await startInventoryApp(config, logger, options);
  const database = subgraphDatabase('inventory', { databaseUrl: config.databaseUrl });
  const locationsClient = createSignedClient(locations.url, ROUTER_SECRET);

  const connect = async () => {
    const client = new pg.Client({ connectionString: withSearchPath(database) });
    await client.connect();
    return client;
  };
  let sites = 0;
  const createSite = async (actor: Actor, kind: 'DEPOT' | 'HOSPITAL_SITE') => {
    sites += 1;
    const result = await locationsClient<{ createSite: { id: string } }>({
      query: CREATE_SITE,
      token: actor.token,
      variables: {
        input: {
          name: `${kind === 'DEPOT' ? 'Depot' : 'Campus'} ${sites}`,
          kind,
          address: { line1: 'Enterprise Road 1', city: 'Nairobi', country: 'KE' },
          position: { lat: -1.3087, lng: 36.8516 },
        },
      },
    });
    if (result.errors) throw new Error(`createSite failed: ${JSON.stringify(result.errors)}`);
    return result.data!.createSite.id;
  };

  return {
    app,
    locations,
    gql: createGraphQLClient(app.url),
    tokens,
    actor: (role, organizationId) => tokens.actor(role, organizationId),
    createDepot: (vendor) => createSite(vendor, 'DEPOT'),
    createHospitalSite: (hospital) => createSite(hospital, 'HOSPITAL_SITE'),
    sql: async (text, values) => {
      const client = await connect();
      try {
        return (await client.query(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    connect,
    stop: async () => {
      await app.stop();
      await locations.stop();
      await tokens.stop();
      await dropSchema(database.connectionString, database.schema);
      await dropSchema(database.connectionString, locationsSchema);
    },
  };
}
