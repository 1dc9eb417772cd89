// Levelled plans at work: Flow's router (production, every check on) in front of the federation
// benchmark's four subgraphs, each its own process (scripts/bench/guild/subgraph.ts, which counts
// the HTTP requests it answers on GET /calls), with QUERY_PLAN_LEVELS on and off side by side.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeGuildSupergraph } from '../../scripts/bench/guild/compose';
import { GUILD_QUERY } from '../../scripts/bench/guild/query';
import { GUILD_SUBGRAPHS, type GuildSubgraph } from '../../scripts/bench/guild/schemas';
import type { RunningRouter } from '../src/router';
import { graphql, repositoryRoot, startRouterFixture, type RouterFixture } from './support';

// Composed under catalog names, as the benchmark does: the router calls only subgraphs it knows.
const FLOW_NAMES: Record<GuildSubgraph, string> = {
  accounts: 'locations',
  inventory: 'inventory',
  products: 'pricing',
  reviews: 'reviews',
};

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const processes: ChildProcess[] = [];
const ports = {} as Record<GuildSubgraph, number>;
let fixture: RouterFixture;
let levelled: RunningRouter;
let asPlanned: RunningRouter;

async function calls(): Promise<number> {
  let total = 0;
  for (const name of GUILD_SUBGRAPHS)
    total += ((await (await fetch(`http://127.0.0.1:${ports[name]}/calls`)).json()) as { calls: number })
      .calls;
  return total;
}

async function ready(port: number, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`a benchmark subgraph exited with ${child.exitCode}`);
    const answered = await fetch(`http://127.0.0.1:${port}/calls`).then(
      (response) => response.ok,
      () => false,
    );
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  for (const name of GUILD_SUBGRAPHS) {
    ports[name] = await freePort();
    // stdin stays an open pipe: the subgraph exits when it ends (this process gone), or on SIGTERM.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(repositoryRoot, 'scripts', 'bench', 'guild', 'subgraph.ts'),
        name,
        String(ports[name]),
      ],
      { cwd: repositoryRoot, stdio: ['pipe', 'ignore', 'inherit'] },
    );
    processes.push(child);
  }
  await Promise.all(GUILD_SUBGRAPHS.map((name, i) => ready(ports[name], processes[i]!)));
  const urls = Object.fromEntries(
    GUILD_SUBGRAPHS.map((name) => [name, `http://127.0.0.1:${ports[name]}/graphql`]),
  ) as Record<GuildSubgraph, string>;
  const supergraph = join(mkdtempSync(join(tmpdir(), 'flow-plan-levels-')), 'supergraph.graphql');
  writeFileSync(supergraph, composeGuildSupergraph(urls, FLOW_NAMES));
  fixture = await startRouterFixture('plan-levels-key', { production: true });
  const env = {
    FLOW_ENV: 'production',
    SUPERGRAPH_PATH: supergraph,
    ...Object.fromEntries(
      GUILD_SUBGRAPHS.map((name) => [`${FLOW_NAMES[name].toUpperCase()}_URL`, urls[name]]),
    ),
    // The query's nested lists have no @listSize: its estimate is far above the default budget.
    MAX_QUERY_COST: '100000000',
    RATE_LIMIT_ANONYMOUS_POINTS_PER_MINUTE: '100000000',
    RATE_LIMIT_ADDRESS_POINTS_PER_MINUTE: '100000000',
  };
  levelled = await fixture.startRouter(env);
  asPlanned = await fixture.startRouter({ ...env, QUERY_PLAN_LEVELS: 'false' });
});

afterAll(async () => {
  await fixture?.stop();
  await Promise.all(
    processes.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
});

/** The answer's text and the subgraph calls it took (requests sent one at a time). */
async function ask(router: RunningRouter, query: string): Promise<{ text: string; calls: number }> {
  const before = await calls();
  const result = await graphql(router.url, query);
  expect(result.status).toBe(200);
  expect(result.body.errors).toBeUndefined();
  return { text: result.text, calls: (await calls()) - before };
}

describe('levelled plans against real subgraph processes', () => {
  it('answer a two-branch query with one call per subgraph per level, byte for byte as planned', async () => {
    // users → accounts → reviews → products, and topProducts → products → reviews: levelled,
    // [accounts + products] [reviews, both branches: one batch] [products].
    const query = '{ users { reviews { product { name } } } topProducts { reviews { body } } }';
    const planned = await ask(asPlanned, query);
    for (let i = 0; i < 3; i += 1) {
      const answer = await ask(levelled, query);
      expect(answer.calls).toBe(4);
      expect(answer.text).toBe(planned.text);
    }
  });

  it('answer the federation benchmark query in 6 calls, byte for byte as planned', async () => {
    const planned = await ask(asPlanned, GUILD_QUERY);
    const answer = await ask(levelled, GUILD_QUERY);
    expect(answer.text).toBe(planned.text);
    expect(JSON.parse(answer.text)).toMatchObject({ data: { users: expect.any(Array) } });
    expect(answer.calls).toBe(6);
  });
});
