// The inventory subgraph in @flow/testing's environment, next to the real locations subgraph in
// one of its own (production mode: it refuses any call without a valid router signature, so
// inventory's calls to it prove they are signed). Both trust one token issuer.
import {
  createSignedClient,
  startSubgraphTestEnvironment,
  startTestTokenIssuer,
  stopAll,
  type SubgraphTestEnvironment,
  type TestActor,
  TEST_ROUTER_SECRET,
} from '@flow/testing';
import { parseLocationsConfig, startLocationsApp, type LocationsApp } from '@flow/locations';
import {
  parseInventoryConfig,
  startInventoryApp,
  type InventoryApp,
  type InventoryAppOptions,
  type InventoryConfig,
} from '../../src';

/** Re-exported: the inventory tests sign as the router or as the orders service. */
export { createSignedClient };
export type Actor = TestActor;
export const ROUTER_SECRET = TEST_ROUTER_SECRET;

export interface InventoryTestEnvironment extends SubgraphTestEnvironment<InventoryConfig, InventoryApp> {
  locations: LocationsApp;
  /** A depot of the actor's organization, created in locations as its vendor admin would. */
  createDepot(vendor: Actor): Promise<string>;
  /** A hospital site, for "that is not a depot". */
  createHospitalSite(hospital: Actor): Promise<string>;
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

export async function createTestEnvironment({
  env,
  ...options
}: EnvironmentOptions = {}): Promise<InventoryTestEnvironment> {
  const tokens = await startTestTokenIssuer();
  const locations = await startSubgraphTestEnvironment({
    name: 'locations',
    start: startLocationsApp,
    parseConfig: parseLocationsConfig,
    env: { FLOW_ENV: 'production' },
    tokens,
  }).catch(async (error: unknown) => {
    await tokens.stop();
    throw error;
  });
  const inventory = await startSubgraphTestEnvironment({
    name: 'inventory',
    start: startInventoryApp,
    parseConfig: parseInventoryConfig,
    env: {
      LOCATIONS_URL: locations.app.url,
      // The tests run the expiry job themselves unless they ask for the timer.
      RESERVATION_SWEEP_SECONDS: '3600',
      DEPENDENCY_TIMEOUT_MS: '2000',
      ...env,
    },
    options,
    tokens,
  }).catch(async (error: unknown) => {
    await stopAll([locations.stop, tokens.stop]);
    throw error;
  });

  const locationsClient = locations.signed();
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
    ...inventory,
    locations: locations.app,
    createDepot: (vendor) => createSite(vendor, 'DEPOT'),
    createHospitalSite: (hospital) => createSite(hospital, 'HOSPITAL_SITE'),
    stop: () => stopAll([inventory.stop, locations.stop, tokens.stop]),
  };
}
