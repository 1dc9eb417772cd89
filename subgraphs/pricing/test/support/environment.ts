import { startSubgraphTestEnvironment, stopAll, type SubgraphTestEnvironment } from '@flow/testing';
import {
  createTestEnvironment as startUsers,
  LOGIN,
  REGISTER,
  registration,
  type AuthPayload,
  type UsersTestEnvironment,
} from '@flow/users/testing';
import { parsePricingConfig, startPricingApp, type PricingApp, type PricingConfig } from '../../src';
import { InventoryStandIn, LocationsStandIn } from './stand-ins';

export interface PricingTestEnvironment extends SubgraphTestEnvironment<PricingConfig, PricingApp> {
  /** The app (also `app`). */
  pricing: PricingApp;
  users: UsersTestEnvironment;
  locations: LocationsStandIn;
  inventory: InventoryStandIn;
  adminToken: string;
}

/**
 * The REAL users subgraph, stand-ins for locations and inventory, and pricing: each on a port of
 * its own over real HTTP, users and pricing in @flow/testing's environments. `env` is pricing's
 * (e.g. LOCATIONS_URL pointing at a dead dependency). Tokens are users' own (login, register).
 */
export async function createPricingTestEnvironment(
  env: Record<string, string> = {},
): Promise<PricingTestEnvironment> {
  const users = await startUsers();
  const jwksUrl = `${new URL(users.app.url).origin}/.well-known/jwks.json`;
  // Pricing first, then what it calls: whatever has started by a failure is stopped too.
  const started: { stop: () => Promise<void> }[] = [users];
  const stopStarted = () => stopAll([...started].reverse().map((s) => s.stop));
  try {
    const locations = await LocationsStandIn.start({ jwksUrl });
    started.push(locations.server);
    const inventory = await InventoryStandIn.start({ jwksUrl });
    started.push(inventory.server);
    const t = await startSubgraphTestEnvironment({
      name: 'pricing',
      start: startPricingApp,
      parseConfig: parsePricingConfig,
      env: {
        USERS_URL: users.app.url,
        USERS_JWKS_URL: jwksUrl,
        // Signed calls to users (and the stand-ins) carry the router secret users trusts.
        ROUTER_SIGNING_SECRET: users.env.ROUTER_SIGNING_SECRET,
        LOCATIONS_URL: locations.server.url,
        INVENTORY_URL: inventory.server.url,
        ...env,
      },
    });
    started.push(t);
    const login = await users.gql<{ login: AuthPayload }>({
      query: LOGIN,
      variables: { email: users.admin.email, password: users.admin.password },
    });
    return {
      ...t,
      pricing: t.app,
      users,
      locations,
      inventory,
      adminToken: login.data!.login.accessToken,
      stop: stopStarted,
    };
  } catch (error) {
    await stopStarted();
    throw error;
  }
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
