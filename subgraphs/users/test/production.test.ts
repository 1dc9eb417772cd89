import { createLogger, signRequest } from '@flow/core';
import { startUsersApp } from '../src/app';
import { parseUsersEnvironment } from '../src/env';
import { createSigningKey } from '../src/keys/signing-keys';
import { createTestEnvironment, type UsersTestEnvironment } from './environment';

const secret = 'a-production-router-secret-of-32-chars!';
describe('users in production mode', () => {
  let t: UsersTestEnvironment;
  beforeAll(async () => {
    const productionKeys = JSON.stringify({ keys: [await createSigningKey(new Date(0))] });
    t = await createTestEnvironment({
      FLOW_ENV: 'production',
      ROUTER_SIGNING_SECRET: secret,
      FLOW_ADMIN_EMAIL: 'ops@example.org',
      FLOW_ADMIN_PASSWORD: 'an-ops-password-123',
      JWT_SIGNING_KEYS: productionKeys,
    });
  });
  afterAll(() => t?.stop());

  const query = '{ me { id } }';

  it('refuses a direct call that does not come through the router', async () => {
    const result = await t.gql({ query });
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('serves a call signed with the router secret, and refuses a tampered one', async () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const requestId = 'prod-test-request-1';
    const signature = signRequest(secret, {
      timestamp,
      requestId,
      authorization: '',
      query,
      operationName: null,
      variables: null,
    });
    const headers = {
      'x-flow-signature': signature,
      'x-flow-timestamp': timestamp,
      'x-request-id': requestId,
    };
    const signed = await t.gql<{ me: null }>({ query, headers });
    expect(signed.status).toBe(200);
    expect(signed.data).toEqual({ me: null });

    const tampered = await t.gql({ query: '{ __typename }', headers });
    expect(tampered.status).toBe(401);
  });

  async function signed<Data>(query: string) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const requestId = `prod-test-${Math.random().toString(36).slice(2, 10)}`;
    const signature = signRequest(secret, {
      timestamp,
      requestId,
      authorization: '',
      query,
      operationName: null,
      variables: null,
    });
    return t.gql<Data>({
      query,
      headers: { 'x-flow-signature': signature, 'x-flow-timestamp': timestamp, 'x-request-id': requestId },
    });
  }

  it('bootstraps the platform admin from FLOW_ADMIN_EMAIL / FLOW_ADMIN_PASSWORD', async () => {
    const ok = await signed<{ login: { user: { role: string } } }>(
      `mutation { login(email: "ops@example.org", password: "an-ops-password-123") { user { role } } }`,
    );
    expect(ok.data?.login.user.role).toBe('PLATFORM_ADMIN');
    const dev = await signed(
      `mutation { login(email: "admin@flow.local", password: "flow-admin-password") { accessToken } }`,
    );
    expect(dev.errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');
  });

  it('sends no stack trace with errors', async () => {
    const wrong = await signed(
      `mutation { login(email: "ops@example.org", password: "wrong-password-1") { accessToken } }`,
    );
    expect(wrong.errors?.[0]?.extensions).toEqual({ code: 'INVALID_CREDENTIALS' });
  });
});

describe('users configuration', () => {
  it('names every invalid variable', () => {
    expect(() =>
      parseUsersEnvironment({ PORT: 'x', ACCESS_TOKEN_TTL_SECONDS: '5', FLOW_ADMIN_EMAIL: 'nope' }),
    ).toThrow(
      /PORT[\s\S]*FLOW_ADMIN_EMAIL[\s\S]*ACCESS_TOKEN_TTL_SECONDS|PORT[\s\S]*ACCESS_TOKEN_TTL_SECONDS[\s\S]*FLOW_ADMIN_EMAIL/,
    );
  });

  it('refuses development defaults in production', () => {
    let message = '';
    try {
      parseUsersEnvironment({ FLOW_ENV: 'production' });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of [
      'ROUTER_SIGNING_SECRET',
      'FLOW_ADMIN_EMAIL',
      'FLOW_ADMIN_PASSWORD',
      'JWT_SIGNING_KEYS',
      'DATABASE_URL',
    ]) {
      expect(message).toContain(name);
    }
  });

  it('refuses demo data and the passwords printed in the README in production (issue 11, case 8)', () => {
    const production = {
      FLOW_ENV: 'production',
      ROUTER_SIGNING_SECRET: secret,
      FLOW_ADMIN_EMAIL: 'ops@example.org',
      JWT_SIGNING_KEYS: '{"keys":[]}',
      DATABASE_URL: 'postgresql://127.0.0.1:5432/test',
    };
    expect(() =>
      parseUsersEnvironment({
        ...production,
        FLOW_ADMIN_PASSWORD: 'an-ops-password-123',
        SEED_DEMO_DATA: 'true',
      }),
    ).toThrow(/SEED_DEMO_DATA: production refuses demo accounts/);
    for (const password of ['flow-admin-password', 'demo-hospital-password', 'demo-driver-password'])
      expect(() => parseUsersEnvironment({ ...production, FLOW_ADMIN_PASSWORD: password })).toThrow(
        /FLOW_ADMIN_PASSWORD: is a development or demo password/,
      );
    expect(
      parseUsersEnvironment({ ...production, FLOW_ADMIN_PASSWORD: 'an-ops-password-123' }).SEED_DEMO_DATA,
    ).toBe(false);
  });

  it('refuses to start in production on a database whose demo accounts keep their public passwords', async () => {
    const development = await createTestEnvironment({ SEED_DEMO_DATA: 'true' });
    try {
      const productionKeys = JSON.stringify({ keys: [await createSigningKey(new Date(0))] });
      const env = parseUsersEnvironment({
        FLOW_ENV: 'production',
        LOG_LEVEL: 'silent',
        PORT: '0',
        DATABASE_URL: development.env.DATABASE_URL,
        ROUTER_SIGNING_SECRET: secret,
        FLOW_ADMIN_EMAIL: 'ops@example.org',
        FLOW_ADMIN_PASSWORD: 'an-ops-password-123',
        JWT_SIGNING_KEYS: productionKeys,
        PASSWORD_SCRYPT_LOG2_COST: '14',
        AMQP_URL: 'amqp://127.0.0.1:9',
      });
      const starting = startUsersApp(env, createLogger('users', 'silent'));
      await expect(starting).rejects.toThrow(/hospital\.admin@demo\.flow\.local/);
      await expect(starting).rejects.toThrow(/admin@flow\.local/);
      await expect(starting).rejects.not.toThrow(/ops@example\.org/);
    } finally {
      await development.stop();
    }
  });

  it('refuses access tokens that would outlive the age every verifier accepts (issue 10)', () => {
    expect(() => parseUsersEnvironment({ ACCESS_TOKEN_TTL_SECONDS: '1800' })).toThrow(
      /ACCESS_TOKEN_TTL_SECONDS: must not be above MAX_TOKEN_AGE_SECONDS/,
    );
    expect(
      parseUsersEnvironment({ ACCESS_TOKEN_TTL_SECONDS: '1800', MAX_TOKEN_AGE_SECONDS: '2000' })
        .MAX_TOKEN_AGE_SECONDS,
    ).toBe(2000);
  });
});
