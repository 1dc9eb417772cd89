import pg from 'pg';
import { subgraphDatabase } from '@flow/subgraph-kit';
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
    const emails = Array.from({ length: 8 }, (_, i) => `shutdown.${i}.${Date.now()}@example.org`);
    const registrations = emails.map((email, i) =>
      t.gql<{ registerOrganization: { user: { id: string } } }>({
        query:
          'mutation ($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { user { id } } }',
        variables: {
          input: {
            kind: 'HOSPITAL',
            organizationName: `Shutdown Hospital ${i}`,
            adminName: 'Admin',
            email,
            password: 'a-shutdown-password',
          },
        },
      }),
    );
    // Sent together; once the first is in the database the router is working on them.
    await untilOrganizations(2);
    t.router.child.kill('SIGTERM');
    const results = await Promise.allSettled(registrations);
    expect(await t.router.exited).toBe(0);
    await expect(fetch(t.routerUrl)).rejects.toThrow();
    // Every registration the router took on was finished and answered: 200 with the user. One that
    // a busy machine had not yet handed to the router may fail to connect, and then nothing of it
    // exists: no caller is told "failed" about an account that was made.
    const { connectionString, schema } = subgraphDatabase('users', { databaseUrl: t.databaseUrl });
    const db = new pg.Client({ connectionString });
    await db.connect();
    try {
      for (const [i, result] of results.entries()) {
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM "${schema}".users WHERE email = $1`, [
          emails[i],
        ]);
        if (result.status === 'fulfilled') {
          expect(result.value.status).toBe(200);
          expect(result.value.data?.registerOrganization.user.id).toBeTruthy();
          expect(rows[0].n).toBe(1);
        } else {
          expect(rows[0].n).toBe(0);
        }
      }
    } finally {
      await db.end();
    }
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
  });

  it('stops the users subgraph with exit code 0', async () => {
    const health = new URL('/health/ready', t.usersUrl);
    expect((await fetch(health)).status).toBe(200);
    t.users.child.kill('SIGTERM');
    expect(await t.users.exited).toBe(0);
    await expect(fetch(health)).rejects.toThrow();
  });
});
