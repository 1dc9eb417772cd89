// Benchmark (not a test) of the operation budget against the two measured attacks: the
// 2^20 nested-fragment document (anonymous; and 2^18, a quarter of its size) and the nested Organization.users(first: 40) recursion (a signed-in admin). Every subgraph and two production-mode routers run as real processes on
// loopback: BEFORE has every budget limit raised to its maximum (the router as it was), AFTER has
// the defaults. Each attack is sent once to each router (bounded by BENCH_TIMEOUT_MS, default
// 60 s) while a healthy client keeps asking `{ me { id name } }` one request at a time, and the
// router's CPU, its event-loop delay (prom-client's nodejs_eventloop_lag_max_seconds, reset at
// every scrape) and the healthy client's latency are printed side by side, with AFTER/BEFORE.
//
//   npm run bench:hostile      (BENCH_TIMEOUT_MS=60000, BENCH_ORGANIZATION_USERS=40: the
//                               signed-in hospital gets that many people, so the recursion fans out)
//
// Ctrl-C stops every process it started (runBenchmark). Loopback only; it ends by itself.
//
// measured on 2026-12-07 at 1308602 (every issue-10 branch merged), this machine (2 cores, load
// average about 3), `npm run bench:hostile`:
//                                          BEFORE        AFTER   AFTER/BEFORE
//   fragment-bomb/nested-2x20 (the document)
//                                      200 data      400 TOO_MANY_SELECTIONS
//     answer ms                        4247          2.9        0.001
//     router CPU ms (event loop)       4144          2.4        0.001
//     event-loop delay max ms          4253         12.7        0.003
//     healthy query max ms             4265         11.2        0.003
//   fragment-bomb/nested-2x18          200 data      400 TOO_MANY_SELECTIONS
//     router CPU ms (event loop)        942          1.8        0.002
//     event-loop delay max ms           960         11.6        0.012
//   users-recursion/organization-users-40x3 (40 people in the organization)
//                                      200           400 COST_LIMIT_EXCEEDED
//     answer ms                        3463          4.1        0.001
//     router CPU ms (event loop)        560          3.6        0.006
//     event-loop delay max ms           557         12.7        0.023
//     healthy query max ms             1929         11.3        0.006
import { performance } from 'node:perf_hooks';
import { send, type Observation } from '../../test/hostile/client';
import { loadCorpus, type CorpusEntry } from '../../test/hostile/corpus';
import { describe as describeObservation } from '../../test/hostile/judge';
import {
  mainThreadCpuMs,
  metricSum,
  scrape,
  startProductionPlatform,
  type ProductionPlatform,
} from '../../test/hostile/production';
import { ok } from '../../test/support/actors';
import { percentile, processCpuMs, runBenchmark } from './measure';

const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 60_000);
const ORGANIZATION_USERS = Number(process.env.BENCH_ORGANIZATION_USERS ?? 40);

/** Every budget limit at the largest value router/src/env.ts accepts: no budget to speak of. */
const BUDGET_AT_MAXIMA: Record<string, string> = {
  MAX_QUERY_DEPTH: '1000',
  MAX_QUERY_ALIASES: '100000',
  MAX_QUERY_TOKENS: '1000000',
  MAX_QUERY_SELECTIONS: '1000000000',
  MAX_QUERY_FRAGMENT_SPREADS: '1000000000',
  MAX_QUERY_DIRECTIVES: '100000',
  MAX_QUERY_COST: '1000000000',
};

// At their maxima the limits let 2^20 expanded selections through: BEFORE shows the work an
// unbounded router does on the document; 2^18 shows the same at a quarter of the size.
const ATTACKS = [
  'fragment-bomb/nested-2x20/post',
  'fragment-bomb/nested-2x18/post',
  'users-recursion/organization-users-40x3/post',
];

interface Measurement {
  answer: string;
  answerMs: number;
  routerCpuMs: number;
  eventLoopCpuMs: number;
  eventLoopDelayMaxMs: number;
  healthyP50Ms: number;
  healthyMaxMs: number;
  healthyCount: number;
}

/** The platform as it starts: an interrupt during start-up waits for it, then stops it. */
let starting: Promise<ProductionPlatform> | undefined;

async function waitUntilLive(url: string) {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(new URL('/health/live', url), { signal: AbortSignal.timeout(2_000) })).ok) return;
    } catch {
      // still busy
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} did not come back within 180 s`);
}

const probe: CorpusEntry = {
  id: 'healthy',
  category: 'healthy',
  transport: 'post',
  auth: 'user',
  graphql: { query: '{ me { id name } }' },
  expect: { outcome: 'accepted' },
};

/**
 * Until the healthy query is fast again (twice under 250 ms; at most 3 minutes): a subgraph may
 * still be working for an attack the router has given up on, and would slow the next measurement.
 */
async function settle(routerUrl: string, token: string) {
  const deadline = Date.now() + 180_000;
  let fast = 0;
  while (fast < 2 && Date.now() < deadline) {
    const answer = await send(probe, { routerUrl, token, timeoutMs: TIMEOUT_MS });
    fast = answer.ms < 250 && answer.data ? fast + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function attack(
  routerUrl: string,
  pid: number,
  entry: CorpusEntry,
  token: string,
): Promise<Measurement> {
  await waitUntilLive(routerUrl);
  await settle(routerUrl, token);
  await scrape(routerUrl); // resets the event-loop delay histogram
  const healthy: number[] = [];
  let attacking = true;
  const healthyClient = (async () => {
    while (attacking) {
      const started = performance.now();
      await send(probe, { routerUrl, token, timeoutMs: TIMEOUT_MS });
      healthy.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 200)); // a few healthy answers before the attack
  const cpuBefore = processCpuMs(pid) ?? NaN;
  const loopBefore = mainThreadCpuMs(pid);
  const observation: Observation = await send(entry, { routerUrl, token, timeoutMs: TIMEOUT_MS });
  await waitUntilLive(routerUrl); // the work may outlast the answer (a timeout)
  const routerCpuMs = (processCpuMs(pid) ?? NaN) - cpuBefore;
  const eventLoopCpuMs = mainThreadCpuMs(pid) - loopBefore;
  attacking = false;
  await healthyClient;
  const delay = metricSum(await scrape(routerUrl), 'nodejs_eventloop_lag_max_seconds') * 1000;
  return {
    answer: describeObservation(observation).split(':')[0]!,
    answerMs: observation.ms,
    routerCpuMs,
    eventLoopCpuMs,
    eventLoopDelayMaxMs: delay,
    healthyP50Ms: percentile(healthy, 50),
    healthyMaxMs: Math.max(...healthy),
    healthyCount: healthy.length,
  };
}

function table(id: string, before: Measurement, after: Measurement) {
  const rows: [string, keyof Measurement][] = [
    ['answer ms', 'answerMs'],
    ['router CPU ms (process)', 'routerCpuMs'],
    ['router CPU ms (event loop)', 'eventLoopCpuMs'],
    ['event-loop delay max ms', 'eventLoopDelayMaxMs'],
    ['healthy query p50 ms', 'healthyP50Ms'],
    ['healthy query max ms', 'healthyMaxMs'],
    ['healthy queries answered', 'healthyCount'],
  ];
  const cell = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '-').padStart(16);
  console.log(`\n${id}`);
  console.log(
    `  ${''.padEnd(30)}${'BEFORE'.padStart(16)}${'AFTER'.padStart(16)}${'AFTER/BEFORE'.padStart(14)}`,
  );
  console.log(`  ${'answer BEFORE'.padEnd(30)}${before.answer}`);
  console.log(`  ${'answer AFTER'.padEnd(30)}${after.answer}`);
  for (const [label, key] of rows) {
    const b = before[key] as number;
    const a = after[key] as number;
    console.log(
      `  ${label.padEnd(30)}${cell(b)}${cell(a)}${(b > 0 ? (a / b).toFixed(3) : '-').padStart(14)}`,
    );
  }
}

async function main() {
  const corpus = new Map(loadCorpus().entries.map((e) => [e.id, e]));
  console.log('starting the platform in production mode (two routers: budget at maxima, and defaults)');
  starting = startProductionPlatform();
  const platform = await starting;
  // users(first: 40) three deep is 40 x 40 x 40 users only when the organization has 40 people.
  for (let i = 1; i < ORGANIZATION_USERS; i++) {
    await ok(
      platform.env.gql,
      platform.user.token,
      'mutation ($input: InviteUserInput!) { inviteUser(input: $input) { id } }',
      {
        input: {
          email: `staff.${i}.${Date.now()}@example.org`,
          name: `Staff ${i}`,
          role: 'HOSPITAL_STAFF',
          password: 'a-staff-password-1',
        },
      },
    );
  }
  const before = await platform.env.addRouter(BUDGET_AT_MAXIMA);
  const routers = {
    before: { url: before.url, pid: before.process.child.pid! },
    after: { url: platform.env.routerUrl, pid: platform.pids.router! },
  };
  for (const id of ATTACKS) {
    const entry = corpus.get(id);
    if (!entry) throw new Error(`no corpus entry ${id}: run npm run hostile:corpus`);
    const measured = {
      before: await attack(routers.before.url, routers.before.pid, entry, platform.user.token),
      after: await attack(routers.after.url, routers.after.pid, entry, platform.user.token),
    };
    table(id, measured.before, measured.after);
  }
}

runBenchmark(main, async () => {
  const platform = await starting?.catch(() => undefined);
  await platform?.env.stop().catch((error: unknown) => console.error('stopping the platform failed:', error));
});
