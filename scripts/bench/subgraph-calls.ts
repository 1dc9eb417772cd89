// The subgraphs' side of a federated request, measured: the whole platform on loopback (every
// subgraph and the router as real processes, as `npm start` runs them), seeded with the demo
// market, driven with `compareOffers` at the demo hospital's main campus and with one order's
// detail (items with products, site, vendor, depot, payment, delivery). For each run: requests/s,
// CPU ms per request of every process (/proc/<pid>/stat) and SQL statements per request of each
// subgraph. Runs are side by side in one invocation, each in a fresh environment with its own
// variables, and the last is compared with the first as ratios.
//   node --conditions=flow-source --import tsx scripts/bench/subgraph-calls.ts
//   SUBGRAPH_CALLS_RUNS=before,after  SUBGRAPH_CALLS_SECONDS=10  SUBGRAPH_CALLS_CONCURRENCY=8
//   SUBGRAPH_CALLS_MAIN_ROOT=<dir> with a run named `main`: that run starts the platform of the
//   checkout in <dir> (e.g. `git archive main` with src/generated and node_modules beside it).
//   SUBGRAPH_CALLS_PROFILE=<dir>: every process writes a CPU profile there at its stop (cpu-profile.mjs).
// "before" switches off the subgraph-side caches (VERIFIED_TOKEN_CACHE_SIZE=0,
// ORGANIZATION_STATUS_CACHE_MS=0); "after" runs with the defaults.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { demoAccounts } from '@flow/users/demo-accounts';
import { ST_MARY_MAIN_CAMPUS } from '../demo';
import { seedDemoCatalog } from '../seed-demo';
import { createTestEnvironment, type PlatformTestEnvironment } from '../../test/environment';
import { BENCH_LIMITS, processCpuMs, runBenchmark } from './measure';

const RUNS: Record<string, Record<string, string>> = {
  before: { VERIFIED_TOKEN_CACHE_SIZE: '0', ORGANIZATION_STATUS_CACHE_MS: '0' },
  after: {},
  main: {},
};
/** A copy of another commit with its generated code and node_modules, for the run named `main`. */
const mainRoot = process.env.SUBGRAPH_CALLS_MAIN_ROOT;
const runs = (process.env.SUBGRAPH_CALLS_RUNS ?? 'before,after').split(',');
const seconds = Number(process.env.SUBGRAPH_CALLS_SECONDS ?? 10);
const concurrency = Number(process.env.SUBGRAPH_CALLS_CONCURRENCY ?? 8);
const profileDir = process.env.SUBGRAPH_CALLS_PROFILE;

const COMPARE = `query Compare($p: ID!, $s: ID!) {
  compareOffers(productId: $p, quantity: 5, siteId: $s) {
    vendor { id name } depot { id name } total { amountMinor currency } distanceKm
  }
}`;
const ORDER = `query OrderDetail($id: ID!) {
  order(id: $id) {
    id number status
    items { product { id name sku } quantity lineTotal { amountMinor currency } }
    site { id name } vendor { id name } depot { id name }
    payment { id status }
    delivery { status etaMinutes }
  }
}`;

interface Scenario {
  name: string;
  query: string;
  variables: Record<string, unknown>;
}

interface Result {
  run: string;
  scenario: string;
  perSecond: number;
  errors: number;
  cpuMs: Map<string, number>;
  statements: Map<string, number>;
}

let env: PlatformTestEnvironment | undefined;

async function post(token: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(env!.routerUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (!response.ok || body.errors) throw new Error(JSON.stringify(body.errors ?? response.status));
  return body.data!;
}

function pids(e: PlatformTestEnvironment): Map<string, number> {
  const byName = new Map<string, number>([['router', e.router.child.pid!]]);
  for (const [name, s] of Object.entries(e.subgraphs)) byName.set(name, s.process.child.pid!);
  return byName;
}

async function statementCounts(e: PlatformTestEnvironment): Promise<Map<string, number>> {
  const names = Object.keys(e.subgraphs);
  const counts = await Promise.all(names.map((name) => e.statements(name)));
  return new Map(names.map((name, i) => [name, counts[i] ?? 0]));
}

/** `concurrency` loops sending the scenario back to back for `ms`, each as its own session. */
async function drive(sessions: string[], scenario: Scenario, ms: number) {
  const until = performance.now() + ms;
  let done = 0;
  let errors = 0;
  await Promise.all(
    sessions.map(async (token) => {
      while (performance.now() < until) {
        try {
          await post(token, scenario.query, scenario.variables);
          done++;
        } catch (error) {
          if (errors++ === 0) console.error(`${scenario.name}: ${(error as Error).message}`);
        }
      }
    }),
  );
  return { done, errors };
}

async function measure(run: string, sessions: string[], scenario: Scenario): Promise<Result> {
  await drive(sessions, scenario, 2000); // warm-up: JIT, pools, caches
  const processes = pids(env!);
  const cpuBefore = new Map([...processes].map(([name, pid]) => [name, processCpuMs(pid) ?? 0]));
  const statementsBefore = await statementCounts(env!);
  const started = performance.now();
  const { done, errors } = await drive(sessions, scenario, seconds * 1000);
  const elapsed = (performance.now() - started) / 1000;
  const statementsAfter = await statementCounts(env!);
  const per = (n: number) => n / Math.max(done, 1);
  return {
    run,
    scenario: scenario.name,
    perSecond: done / elapsed,
    errors,
    cpuMs: new Map(
      [...processes].map(([name, pid]) => [name, per((processCpuMs(pid) ?? 0) - cpuBefore.get(name)!)]),
    ),
    statements: new Map(
      [...statementsAfter].map(([name, n]) => [name, per(n - (statementsBefore.get(name) ?? 0))]),
    ),
  };
}

async function oneRun(run: string): Promise<Result[]> {
  const variables = RUNS[run];
  if (!variables) throw new Error(`unknown run ${run}: one of ${Object.keys(RUNS).join(', ')}`);
  const start =
    run === 'main'
      ? ((
          await import(
            join(mainRoot ?? fail('main needs SUBGRAPH_CALLS_MAIN_ROOT'), 'test', 'environment.ts')
          )
        ).createTestEnvironment as typeof createTestEnvironment)
      : createTestEnvironment;
  env = await start({
    SEED_DEMO_DATA: 'true',
    ...BENCH_LIMITS,
    ...variables,
    ...(profileDir
      ? {
          NODE_OPTIONS: `--import ${join(__dirname, 'cpu-profile.mjs')}`,
          CPU_PROFILE_DIR: join(profileDir, run),
        }
      : {}),
  });
  try {
    const report = await seedDemoCatalog(env.routerUrl, () => {});
    const admin = demoAccounts.find(({ email }) => email === 'hospital.admin@demo.flow.local')!;
    // A session per loop: the router shares calls among identical queries in flight only for
    // one token, so one token in every loop would measure that sharing, not many viewers' work.
    // One after another: sign-in claims an attempt before checking the password, so parallel
    // sign-ins of one email from one address lock it as parallel guesses would.
    const sessions: string[] = [];
    while (sessions.length < concurrency) {
      const login = await post(
        '',
        'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
        { e: admin.email, p: admin.password },
      );
      sessions.push((login.login as { accessToken: string }).accessToken);
    }
    const token = sessions[0]!;
    const found = (await post(
      token,
      '{ sites(kind: HOSPITAL_SITE) { edges { node { id name } } } products(first: 100) { edges { node { id sku } } } }',
      {},
    )) as {
      sites: { edges: { node: { id: string; name: string } }[] };
      products: { edges: { node: { id: string; sku: string } }[] };
    };
    const siteId = found.sites.edges.find(({ node }) => node.name === ST_MARY_MAIN_CAMPUS)!.node.id;
    const productId = found.products.edges.find(({ node }) => node.sku === 'O2-CYL-2L')!.node.id;
    const order =
      report.orders.find(({ status }) => status === 'DELIVERED') ??
      report.orders.find(({ status }) => status !== 'REJECTED')!;
    const scenarios: Scenario[] = [
      { name: 'compareOffers', query: COMPARE, variables: { p: productId, s: siteId } },
      { name: 'order detail', query: ORDER, variables: { id: order.id } },
    ];
    const results: Result[] = [];
    for (const scenario of scenarios) results.push(await measure(run, sessions, scenario));
    return results;
  } finally {
    await env.stop();
    env = undefined;
  }
}

function fail(message: string): never {
  throw new Error(message);
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

function print(results: Result[]) {
  for (const r of results) {
    const cpu = [...r.cpuMs].map(([name, ms]) => `${name} ${ms.toFixed(1)}`).join(', ');
    const sql = [...r.statements]
      .filter(([, n]) => n > 0)
      .map(([name, n]) => `${name} ${n.toFixed(2)}`)
      .join(', ');
    console.log(
      `${r.run.padEnd(7)} ${r.scenario.padEnd(14)} ${r.perSecond.toFixed(1).padStart(7)} req/s` +
        `  ${sum(r.cpuMs).toFixed(1)} CPU ms/req (${cpu})  SQL/req: ${sql || 'none'}` +
        (r.errors ? `  ERRORS ${r.errors}` : ''),
    );
  }
  const first = results.filter((r) => r.run === runs[0]);
  const last = results.filter((r) => r.run === runs[runs.length - 1]);
  for (const a of first) {
    const b = last.find((r) => r.scenario === a.scenario);
    if (!b || b === a) continue;
    console.log(
      `${a.scenario}: ${runs[runs.length - 1]}/${runs[0]} requests/s x${(b.perSecond / a.perSecond).toFixed(2)}, ` +
        `CPU per request x${(sum(b.cpuMs) / sum(a.cpuMs)).toFixed(2)}`,
    );
  }
}

runBenchmark(
  async () => {
    const results: Result[] = [];
    for (const run of runs) {
      results.push(...(await oneRun(run)));
      print(results.filter((r) => r.run === run));
    }
    console.log('');
    print(results);
  },
  async () => {
    await env?.stop();
  },
);
