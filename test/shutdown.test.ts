import pg from 'pg';
import { subgraphDatabase } from '../packages/platform/src';
import { createTestEnvironment, type PlatformTestEnvironment } from './environment';

// Graceful shutdown: a SIGTERM lets in-flight requests finish, then the process exits 0.
describe('graceful shutdown', () => {
  let t: PlatformTestEnvironment;
  beforeAll(async () => {
    t = await createTestEnvironment();
  });
  afterAll(() => t?.stop());

  async function untilOrganizations(atLeast: number) {
    const { connectionString, schema } = subgraphDatabase('users', { databaseUrl: t.databaseUrl });
    const db = new pg.Client({ connectionString });
    await db.connect();
    try {
      for (let i = 0; i < 200; i++) {
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM "${schema}".organizations`);
        if (rows[0].n >= atLeast) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('no registration reached the database');
    } finally {
      await db.end();
    }
  }

  it('finishes in-flight requests when the router is stopped, then exits 0', async () => {
    const registrations = Array.from({ length: 8 }, (_, i) =>
      t.gql<{ registerOrganization: { user: { id: string } } }>({
        query:
          'mutation ($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { user { id } } }',
        variables: {
          input: {
            kind: 'HOSPITAL',
            organizationName: `Shutdown Hospital ${i}`,
            adminName: 'Admin',
            email: `shutdown.${i}.${Date.now()}@example.org`,
            password: 'a-shutdown-password',
          },
        },
      }),
    );
    // All eight were sent together; once the first is in the database, the router has them all.
    await untilOrganizations(2);
    t.router.child.kill('SIGTERM');
    const results = await Promise.all(registrations);
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(results.every((r) => r.data?.registerOrganization.user.id)).toBe(true);
    expect(await t.router.exited).toBe(0);
    await expect(fetch(t.routerUrl)).rejects.toThrow();
  });

  it('stops the users subgraph with exit code 0', async () => {
    const health = new URL('/health/ready', t.usersUrl);
    expect((await fetch(health)).status).toBe(200);
    t.users.child.kill('SIGTERM');
    expect(await t.users.exited).toBe(0);
    await expect(fetch(health)).rejects.toThrow();
  });
});
