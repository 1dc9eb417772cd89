// Issue 11 case 5 through the router: five wrong passwords from one address locked the platform
// admin everywhere. The router forwards the client address (signed) to users, which locks only
// that (email, address) pair: the admin signs in from another address at once. Clients are told
// apart by X-Forwarded-For, which the router believes from a loopback proxy (TRUST_PROXY).
import { createTestEnvironment, type PlatformTestEnvironment } from './environment';

let t: PlatformTestEnvironment;

beforeAll(async () => {
  t = await createTestEnvironment({ TRUST_PROXY: 'loopback' });
}, 300_000);
afterAll(() => t?.stop());

const ADMIN = { email: 'admin@flow.local', password: 'flow-admin-password' };
const LOGIN =
  'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }';

async function login(email: string, password: string, address: string) {
  const result = await t.gql<{ login: { accessToken: string } }>({
    query: LOGIN,
    variables: { email, password },
    headers: { 'x-forwarded-for': address },
  });
  return result.errors?.[0]?.extensions?.code ?? (result.data?.login.accessToken ? 'SIGNED_IN' : 'NO_ANSWER');
}

it('five wrong passwords from A lock the platform admin for A only; from B the admin signs in at once', async () => {
  const attacker = '203.0.113.5';
  const codes: unknown[] = [];
  for (let i = 0; i < 5; i++) codes.push(await login(ADMIN.email, 'not-the-password', attacker));
  codes.push(await login(ADMIN.email, ADMIN.password, attacker));
  expect(codes).toEqual([...Array(5).fill('INVALID_CREDENTIALS'), 'ACCOUNT_LOCKED']);
  expect(await login(ADMIN.email, ADMIN.password, '198.51.100.9')).toBe('SIGNED_IN');

  // The same sequence on an email nobody has gets the same answers.
  const unknown: unknown[] = [];
  for (let i = 0; i < 6; i++) unknown.push(await login('nobody@flow.local', 'not-the-password', attacker));
  expect(unknown).toEqual([...Array(5).fill('INVALID_CREDENTIALS'), 'ACCOUNT_LOCKED']);

  // users saw the addresses the router forwarded, not the router's own.
  const rows = await t.sql<{ client_address: string; n: number }>(
    'users',
    `SELECT client_address, count(*)::int AS n FROM login_attempts WHERE email = $1
     GROUP BY client_address ORDER BY client_address`,
    [ADMIN.email],
  );
  expect(rows).toEqual([
    { client_address: '198.51.100.9', n: 1 },
    { client_address: '203.0.113.5', n: 6 },
  ]);
});
