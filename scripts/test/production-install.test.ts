// A production install: the build output with the package files, the lockfile, schema/ and
// prisma/ copied to an empty folder, `npm ci --omit=dev` there (no tsx, no TypeScript, no Prisma
// CLI), then users and the router started from dist/ with NODE_ENV=production on a fresh database
// schema, answering a login through the router. Everything started is killed at the end.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { subgraphCatalog } from '@flow/core';
import {
  createGraphQLClient,
  databaseUrlForSchema,
  TEST_DATABASE_URL,
  uniqueSchemaName,
} from '@flow/testing';
import { createSigningKey } from '@flow/users';
import { freePort } from '../../test/environment';

jest.setTimeout(600_000);

const root = join(__dirname, '..', '..');
const workspaces = [
  ...readdirSync(join(root, 'packages')).map((name) => `packages/${name}`),
  'router',
  ...subgraphCatalog.map(({ name }) => `subgraphs/${name}`),
];
const secret = 'a-production-router-secret-of-32-chars!';
const schema = uniqueSchemaName('production_install');
const children: ChildProcess[] = [];
let dir: string;

/** The environment of a child: nothing from development leaks in (NODE_OPTIONS conditions, tsx). */
function productionEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    FLOW_ENV: 'production',
    APOLLO_TELEMETRY_DISABLED: '1',
    CHECKPOINT_DISABLE: '1',
    ROUTER_SIGNING_SECRET: secret,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

function start(entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [entry], {
    cwd: dir,
    env,
    detached: true,
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  children.push(child);
  return child;
}

async function waitUntilServing(url: string, child: ChildProcess, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}`);
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

beforeAll(() => {
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-b', 'tsconfig.build.json'], { cwd: root });
  dir = mkdtempSync(join(tmpdir(), 'flow-production-'));
  for (const file of ['package.json', 'package-lock.json', 'scripts/generate.mjs'])
    cpSync(join(root, file), join(dir, file));
  for (const folder of ['schema', 'prisma', 'router/explorer'])
    cpSync(join(root, folder), join(dir, folder), { recursive: true });
  for (const workspace of workspaces) {
    cpSync(join(root, workspace, 'package.json'), join(dir, workspace, 'package.json'));
    cpSync(join(root, workspace, 'dist'), join(dir, workspace, 'dist'), { recursive: true });
  }
  execFileSync(
    'npm',
    ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
    {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, npm_config_update_notifier: 'false' },
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 480_000,
    },
  );
});

afterAll(async () => {
  for (const child of children) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

it('installs without dev dependencies: no tsx, no jest, no codegen', () => {
  // (typescript and the prisma CLI may be there: npm keeps them as optional peers of Prisma's packages.)
  for (const tool of ['tsx', 'jest', 'ts-jest', 'eslint', '@graphql-codegen/cli'])
    expect(existsSync(join(dir, 'node_modules', tool))).toBe(false);
  // What `prisma generate` and codegen would make is in the build output instead.
  for (const { name } of subgraphCatalog)
    expect(readdirSync(join(dir, 'subgraphs', name, 'dist', 'generated', 'prisma'))).toContain('client.js');
});

it('starts users and the router from dist/ and answers a login through the router', async () => {
  const usersPort = await freePort();
  const routerPort = await freePort();
  const usersUrl = `http://127.0.0.1:${usersPort}`;
  const users = start(
    'subgraphs/users/dist/server.js',
    productionEnv({
      PORT: String(usersPort),
      DATABASE_URL: databaseUrlForSchema(schema),
      FLOW_DATA_DIR: join(dir, 'data'),
      FLOW_ADMIN_EMAIL: 'ops@example.org',
      FLOW_ADMIN_PASSWORD: 'an-ops-password-123',
      JWT_SIGNING_KEYS: JSON.stringify({ keys: [await createSigningKey(new Date(0))] }),
    }),
  );
  await waitUntilServing(`${usersUrl}/health/ready`, users);
  const router = start(
    'router/dist/server.js',
    productionEnv({ PORT: String(routerPort), USERS_URL: `${usersUrl}/graphql` }),
  );
  await waitUntilServing(`http://127.0.0.1:${routerPort}/health/live`, router);

  const gql = createGraphQLClient(`http://127.0.0.1:${routerPort}/graphql`);
  const login = await gql<{ login: { user: { role: string } } }>({
    query: 'mutation { login(email: "ops@example.org", password: "an-ops-password-123") { user { role } } }',
  });
  expect(login.errors).toBeUndefined();
  expect(login.data?.login.user.role).toBe('PLATFORM_ADMIN');
});
