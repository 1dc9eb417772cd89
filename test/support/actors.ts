// Actors of the end-to-end tests: organizations registered and acting through the router.
import type { GraphQLClient } from '@flow/testing';

export interface Actor {
  token: string;
  userId: string;
  organizationId: string;
  email: string;
}

let sequence = 0;

/** Runs an operation that must succeed, and returns its data. */
export async function ok<Data>(
  gql: GraphQLClient,
  token: string | undefined,
  query: string,
  variables?: Record<string, unknown>,
) {
  const result = await gql<Data>({ query, variables, token });
  if (result.errors?.length || !result.data) {
    throw new Error(`expected success: ${JSON.stringify(result.errors)} for ${query.slice(0, 80)}`);
  }
  return result.data;
}

/** The password of every organization admin registerOrganization makes. */
export const ACTOR_PASSWORD = 'an-e2e-password-1';

export async function registerOrganization(
  gql: GraphQLClient,
  kind: 'HOSPITAL' | 'VENDOR',
  name?: string,
): Promise<Actor> {
  sequence += 1;
  const email = `e2e.${kind.toLowerCase()}.${sequence}.${Date.now().toString(36)}@example.org`;
  const data = await ok<{
    registerOrganization: { accessToken: string; user: { id: string; organization: { id: string } } };
  }>(
    gql,
    undefined,
    `mutation ($input: RegisterOrganizationInput!) {
      registerOrganization(input: $input) { accessToken user { id organization { id } } }
    }`,
    {
      input: {
        kind,
        organizationName: name ?? `E2E ${kind} ${sequence}`,
        adminName: `Admin ${sequence}`,
        email,
        password: ACTOR_PASSWORD,
      },
    },
  );
  const { accessToken, user } = data.registerOrganization;
  return { token: accessToken, userId: user.id, organizationId: user.organization.id, email };
}

export async function login(gql: GraphQLClient, email: string, password: string): Promise<string> {
  const data = await ok<{ login: { accessToken: string } }>(
    gql,
    undefined,
    'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }',
    { email, password },
  );
  return data.login.accessToken;
}

export const platformAdmin = (gql: GraphQLClient) => login(gql, 'admin@flow.local', 'flow-admin-password');

export async function approve(gql: GraphQLClient, adminToken: string, organizationId: string) {
  await ok(gql, adminToken, 'mutation ($id: ID!) { approveOrganization(id: $id) { status } }', {
    id: organizationId,
  });
}
