import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedClusterDir } from '../packages/platform/src/db/embedded-postgres';
import { createGraphQLClient } from '../packages/platform/src/testing';
import { freePort } from './environment';

// `npm start` as a newcomer runs it: no configuration, so the embedded PostgreSQL, every
// process, the demo logins; then Ctrl-C stops everything with exit code 0.
describe('npm start', () => {
  // mkdtemp folders are private (0700), like a checkout under /root: the embedded server, which
  // runs as the postgres user when we are root, must still find a home for its cluster.
  const dataDir = mkdtempSync(join(tmpdir(), 'flow-start-'));
  afterAll(() => {
    rmSync(embeddedClusterDir(join(dataDir, 'postgres')), { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('brings the platform up on the embedded database and stops it cleanly', async () => {
    const [routerPort, usersPort] = [await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      FLOW_DATA_DIR: dataDir,
      ROUTER_PORT: String(routerPort),
      USERS_PORT: String(usersPort),
      LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL;
    delete env.USERS_DATABASE_URL;
    const supervisor = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, '..', 'scripts', 'start.ts')],
      { env },
    );
    let output = '';
    supervisor.stdout.on('data', (chunk) => (output += chunk));
    supervisor.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => supervisor.on('exit', resolve));

    try {
      const deadline = Date.now() + 90_000;
      while (!output.includes('Flow is running') && Date.now() < deadline && supervisor.exitCode === null) {
        await new Promise((r) => setTimeout(r, 200));
      }
      if (!output.includes('Flow is running')) throw new Error(`npm start did not come up:\n${output}`);
      expect(output).toContain(`http://127.0.0.1:${routerPort}/graphql`);
      expect(output).toContain('hospital.admin@demo.flow.local');

      const gql = createGraphQLClient(`http://127.0.0.1:${routerPort}/graphql`);
      const login = await gql<{ login: { user: { role: string; organization: { kind: string } } } }>({
        query:
          'mutation { login(email: "hospital.admin@demo.flow.local", password: "demo-hospital-password") { user { role organization { kind } } } }',
      });
      expect(login.errors).toBeUndefined();
      expect(login.data?.login.user).toEqual({ role: 'HOSPITAL_ADMIN', organization: { kind: 'HOSPITAL' } });
    } finally {
      supervisor.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    for (const port of [routerPort, usersPort]) {
      await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
    }
  });
});
