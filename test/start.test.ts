import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subgraphCatalog } from '@flow/core';
import { embeddedClusterDir } from '@flow/dev-tools';
import { createGraphQLClient } from '@flow/testing';
import { demoVendors } from '../scripts/demo';
import { freePort } from './environment';
import { descendants, untilGone } from './support/platform-process';

// `npm start` as a newcomer runs it: no configuration, so the embedded PostgreSQL, every
// process, the demo logins; then Ctrl-C (SIGINT to the whole foreground process group, as a
// terminal sends it) stops everything with exit code 0: the router first, the database last, so
// no process logs an error about its database while stopping.
describe('npm start', () => {
  // mkdtemp folders are private (0700), like a checkout under /root: the embedded server, which
  // runs as the postgres user when we are root, must still find a home for its cluster.
  const dataDir = mkdtempSync(join(tmpdir(), 'flow-start-'));
  const supervisorPids: number[] = [];
  afterAll(async () => {
    // Killing the supervisor is enough: its children and the database follow it (its watchdog).
    for (const supervisorPid of supervisorPids) {
      const tree = descendants(supervisorPid).map(({ pid }) => pid);
      try {
        process.kill(-supervisorPid, 'SIGKILL');
      } catch {
        // It had stopped.
      }
      await untilGone(tree);
    }
    rmSync(embeddedClusterDir(join(dataDir, 'postgres')), { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** `npm start`'s supervisor on free ports and the shared data folder, in a process group of its own. */
  async function launch() {
    const routerPort = await freePort();
    const subgraphPorts = Object.fromEntries(
      await Promise.all(subgraphCatalog.map(async ({ name }) => [name, await freePort()] as const)),
    );
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      FLOW_DATA_DIR: dataDir,
      ROUTER_PORT: String(routerPort),
      ...Object.fromEntries(
        subgraphCatalog.map(({ name }) => [`${name.toUpperCase()}_PORT`, String(subgraphPorts[name])]),
      ),
      LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL;
    delete env.USERS_DATABASE_URL;
    const supervisor = spawn(
      process.execPath,
      ['--conditions=flow-source', '--import', 'tsx', join(__dirname, '..', 'scripts', 'start.ts')],
      { env, detached: true },
    );
    supervisorPids.push(supervisor.pid!);
    const started = { supervisor, routerPort, subgraphPorts, output: '' };
    supervisor.stdout.on('data', (chunk) => (started.output += chunk));
    supervisor.stderr.on('data', (chunk) => (started.output += chunk));
    const exited = new Promise<number | null>((resolve) => supervisor.on('exit', resolve));
    return { ...started, exited, output: () => started.output };
  }

  async function untilRunning(flow: Awaited<ReturnType<typeof launch>>) {
    const deadline = Date.now() + 90_000;
    while (
      !flow.output().includes('Flow is running') &&
      Date.now() < deadline &&
      flow.supervisor.exitCode === null
    ) {
      await new Promise((r) => setTimeout(r, 200));
    }
    if (!flow.output().includes('Flow is running'))
      throw new Error(`npm start did not come up:\n${flow.output()}`);
  }

  it('brings the platform up on the embedded database and stops it cleanly', async () => {
    const flow = await launch();
    const { supervisor, routerPort, subgraphPorts, exited } = flow;
    try {
      await untilRunning(flow);
      const output = flow.output();
      expect(output).toContain(`http://127.0.0.1:${routerPort}/graphql`);
      expect(output).toContain('hospital.admin@demo.flow.local');
      expect(output).toContain('thika.driver@demo.flow.local');
      expect(output).toMatch(/Demo market seeded: 3 vendors, 2 hospitals .* in [\d.]+ s/);
      expect(output).toContain('5 delivered, 5 reviewed');

      const gql = createGraphQLClient(`http://127.0.0.1:${routerPort}/graphql`);
      const login = await gql<{ login: { user: { role: string; organization: { kind: string } } } }>({
        query:
          'mutation { login(email: "hospital.admin@demo.flow.local", password: "demo-hospital-password") { user { role organization { kind } } } }',
      });
      expect(login.errors).toBeUndefined();
      expect(login.data?.login.user).toEqual({ role: 'HOSPITAL_ADMIN', organization: { kind: 'HOSPITAL' } });

      // The demo market is seeded: the demo hospital gets an offer from each demo vendor, rated.
      const token = (
        await gql<{ login: { accessToken: string } }>({
          query:
            'mutation { login(email: "hospital.admin@demo.flow.local", password: "demo-hospital-password") { accessToken } }',
        })
      ).data!.login.accessToken;
      const lookup = await gql<{
        sites: { edges: { node: { id: string } }[] };
        products: { edges: { node: { id: string } }[] };
      }>({
        query:
          '{ sites(kind: HOSPITAL_SITE) { edges { node { id } } } products(filter: { category: CYLINDER }, first: 1) { edges { node { id } } } }',
        token,
      });
      const offers = await gql<{
        compareOffers: {
          vendor: { name: string };
          total: { amountMinor: number };
          vendorRating: number | null;
        }[];
      }>({
        query:
          'query ($p: ID!, $s: ID!) { compareOffers(productId: $p, quantity: 5, siteId: $s) { vendor { name } total { amountMinor } vendorRating } }',
        variables: { p: lookup.data!.products.edges[0]!.node.id, s: lookup.data!.sites.edges[0]!.node.id },
        token,
      });
      expect(offers.errors).toBeUndefined();
      expect(offers.data!.compareOffers.map((o) => o.vendor.name).sort()).toEqual(
        demoVendors.map((vendor) => vendor.organization).sort(),
      );
      // Each demo vendor has delivered orders its hospitals reviewed.
      expect(offers.data!.compareOffers.map((o) => o.vendorRating)).not.toContain(null);
    } catch (error) {
      process.kill(-supervisor.pid!, 'SIGINT');
      throw error;
    }
    const beforeCtrlC = flow.output().length;
    process.kill(-supervisor.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    const stopping = flow.output().slice(beforeCtrlC);
    expect(stopping.split('\n').filter((line) => /"level":(50|60)/.test(line))).toEqual([]);
    expect(stopping.trim().split('\n').at(-1)).toBe('watchdog| embedded PostgreSQL stopped');
    for (const port of [routerPort, ...Object.values(subgraphPorts)]) {
      await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
    }
  }, 240_000);

  // The next start on the same data: the demo seed finds its market in place and sends nothing.
  it('starts again on the same data folder without seeding the demo market twice', async () => {
    const flow = await launch();
    try {
      await untilRunning(flow);
      expect(flow.output()).toMatch(/Demo market already in place: 3 vendors, .* nothing changed\./);
      expect(flow.output()).not.toContain('Demo market seeded');
    } finally {
      process.kill(-flow.supervisor.pid!, 'SIGINT');
    }
    expect(await flow.exited).toBe(0);
  }, 240_000);
});
