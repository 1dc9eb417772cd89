// Issue 10, item 6, the database side: when the router gave up on users, users kept working (one
// request kept it busy for 40 s). Here the test holds a lock that the users subgraph's query
// needs, so its work is slow for real; the router gives up after SUBGRAPH_TIMEOUT_MS, and the
// subgraph's statement must be gone from pg_stat_activity soon after: cancelled when its request
// aborts (CancellablePool), not when the lock happens to be released or statement_timeout ends it.
import pg from 'pg';
import { subgraphDatabase, withSearchPath } from '@flow/subgraph-kit';
import { parseRouterConfig, startRouter, type RunningRouter } from '@flow/router';
import { silentLogger, usersOnlySupergraphPath } from '@flow/router/testing';
import { createTestEnvironment, type UsersTestEnvironment } from '@flow/users/testing';

/** Far beyond the test's own timeout: only cancelling on abort can end the statement in time. */
const STATEMENT_TIMEOUT_MS = 60_000;

let users: UsersTestEnvironment;
let router: RunningRouter;
/** Holds the lock; released in afterAll too, or a failed test would leave users stuck at stop. */
let holder: pg.Client | undefined;

beforeAll(async () => {
  users = await createTestEnvironment({ DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) });
  router = await startRouter(
    parseRouterConfig({
      SUPERGRAPH_PATH: usersOnlySupergraphPath(),
      PORT: '0',
      LOG_LEVEL: 'silent',
      USERS_URL: users.app.url,
      USERS_JWKS_URL: `${new URL(users.app.url).origin}/.well-known/jwks.json`,
      SUBGRAPH_TIMEOUT_MS: '500',
    }),
    silentLogger(),
  );
});

afterAll(async () => {
  await holder?.query('ROLLBACK').catch(() => undefined);
  await holder?.end();
  await router?.stop();
  await users?.stop();
});

async function post(query: string, variables: Record<string, unknown> = {}, token?: string) {
  const response = await fetch(router.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, unknown> | null; errors?: unknown[] };
}

/** Polls until `condition` holds (each check is a round trip: no fixed sleep). */
async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setImmediate(resolve));
}

it('leaves no statement of the subgraph running or waiting once the router has given up', async () => {
  // Signed in at users itself, as the router would: a password hash on a busy machine may take
  // longer than the router's short deadline here, which is for the query under test.
  const login = await users.signed()<{ login: { accessToken: string } }>({
    query:
      'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }',
    variables: users.admin,
  });
  expect(login.errors).toBeUndefined();
  const token = login.data!.login.accessToken;

  const database = subgraphDatabase('users', { databaseUrl: users.env.DATABASE_URL });
  const applicationName = `flow-${database.schema}`;
  holder = new pg.Client({ connectionString: withSearchPath(database) });
  const observer = new pg.Client({ connectionString: database.connectionString });
  await holder.connect();
  await observer.connect();
  const subgraphStatements = async (): Promise<{ state: string; wait: string | null }[]> =>
    (
      await observer.query<{ state: string; wait: string | null }>(
        `SELECT state, wait_event_type AS wait FROM pg_stat_activity
          WHERE application_name = $1 AND state <> 'idle'`,
        [applicationName],
      )
    ).rows;
  try {
    // The lock users' query for `me` needs, held by the test until the end.
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');

    const answer = post('{ me { id email } }', {}, token);
    // The subgraph's statement is really there, waiting on the lock.
    await until(async () => (await subgraphStatements()).some((s) => s.wait === 'Lock'));
    const result = await answer;
    expect(result.errors?.length).toBeGreaterThan(0);

    // The router gave up; the subgraph stops too: no statement of it left, lock still held.
    await until(async () => (await subgraphStatements()).length === 0);
    expect((await holder.query<{ n: number }>('SELECT 1 AS n')).rows[0]?.n).toBe(1);
  } finally {
    await holder.query('ROLLBACK').catch(() => undefined);
    await observer.end();
  }
}, 30_000);

it('bounds every statement of the subgraph with DB_STATEMENT_TIMEOUT_MS', async () => {
  const [row] = await users.sql<{ statement_timeout: string }>('SHOW statement_timeout');
  expect(row?.statement_timeout).toBe('1min');
});
