// The router's overhead on a one-subgraph query (products(first: 20), inventory) at concurrency 1,
// this build against another build of the router side by side in the same run (README
// "Performance → Router"). Starts Flow compiled and in production mode as `npm run bench` does,
// one router per build, and runs the systems interleaved round by round with the sequential
// client: through this build's router, through the baseline's, straight at inventory (signed as
// the router signs). Before the rounds, every operation of OPERATIONS is sent to both routers and
// their answers compared byte for byte (status, content type, body). A bare forwarding proxy
// (harness/bare-proxy.mjs) runs in the same rounds: the least a hop costs on this machine.
//
//   npm run build && cp -r router/dist router/.bench/baseline/   (on the build to compare with)
//   node --conditions=flow-source --import tsx scripts/bench/router-overhead.ts \
//     [--baseline=router/.bench/baseline/dist/server.js] [--rounds=4] [--seconds=5] [--profile=<dir>]
//
// --profile=<dir>: each router writes a .cpuprofile of its whole life there when it stops
// (cpu-profile.mjs); `node scripts/bench/profile-summary.mjs <file> --last=<s> --per=<requests>`.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createGraphQLClient } from '@flow/testing';
import { registerOrganization } from '../../test/support/actors';
import { runBenchmark } from './measure';
import { compare, type System, type SystemFigures } from './harness/compare';
import { LEAN_NODE_ENV, pendingPlatform, startFlowPlatform } from './harness/flow-platform';
import { PRODUCTS_QUERY, signedHeaders } from './harness/overhead';
import { leftovers, stopEverything, type Tracked } from './harness/processes';
import { printFigures } from './harness/table';

const args = process.argv.slice(2);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(`--${name}=`.length);
const baseline = option('baseline') ? resolve(option('baseline')!) : undefined;
const rounds = Number(option('rounds') ?? 4);
const seconds = Number(option('seconds') ?? 5);
const profileDir = option('profile') ? resolve(option('profile')!) : undefined;

/** Operations whose answers must be the same bytes from both builds (products' fields only). */
const OPERATIONS: Array<{ query: string; operationName?: string; variables?: Record<string, unknown> }> = [
  { query: PRODUCTS_QUERY, operationName: 'Products' },
  { query: '{ products(first: 3) { edges { node { id name } } } }' },
  {
    query:
      'query A($n: Int, $s: Boolean!) { __typename p: products(first: $n) { __typename pageInfo { hasNextPage endCursor } edges { cursor n: node { __typename id sku @skip(if: $s) gas category } } } }',
    variables: { n: 5, s: true },
  },
  {
    query:
      'query A($n: Int, $s: Boolean!) { p: products(first: $n) { edges { node { ...F sku @include(if: $s) } } } } fragment F on Product { id capacityLiters gasContentLiters description active }',
    variables: { n: 4, s: false },
  },
  { query: '{ products(first: 2, after: "not a cursor") { edges { node { id } } } }' },
  { query: '{ product(id: "00000000-0000-0000-0000-000000000000") { id name } }' },
  { query: '{ products(first: 2) { edges { node { id nope } } } }' },
  { query: '{ products(first: 2) { edges { node { id } } }' },
  { query: 'query Q { products(first: 1) { edges { node { id } } } }', operationName: 'Other' },
];

async function main() {
  if (baseline && !existsSync(baseline)) throw new Error(`no baseline router at ${baseline}`);
  console.log('Starting Flow (compiled, FLOW_ENV=production) ...');
  const platform = await startFlowPlatform();
  const profiled = (name: string): Record<string, string> =>
    profileDir
      ? {
          NODE_OPTIONS: `${LEAN_NODE_ENV.NODE_OPTIONS} --import ${join(__dirname, 'cpu-profile.mjs')}`,
          CPU_PROFILE_DIR: join(profileDir, name),
        }
      : {};
  const routers: Array<{ name: string; url: string; process: Tracked }> = [
    { name: 'router (this build)', ...(await platform.addRouter('router-this', profiled('this'))) },
  ];
  if (baseline)
    routers.push({
      name: 'router (baseline)',
      ...(await platform.addRouter('router-baseline', profiled('baseline'), { script: baseline })),
    });
  const gql = createGraphQLClient(platform.routerUrl);
  const { token } = await registerOrganization(gql, 'HOSPITAL', 'Overhead Hospital');

  if (baseline) {
    let same = 0;
    for (const operation of OPERATIONS) {
      const answers = await Promise.all(
        routers.map(async ({ url }) => {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify(operation),
          });
          return `${response.status} ${response.headers.get('content-type')}\n${await response.text()}`;
        }),
      );
      if (answers[0] === answers[1]) same += 1;
      else console.log(`DIFFERENT answers to ${operation.query}:\n  ${answers.join('\n  ')}`);
    }
    console.log(`Answers byte-identical between the builds: ${same}/${OPERATIONS.length}`);
    if (same !== OPERATIONS.length) throw new Error('the builds answered differently');
  }

  const body = { query: PRODUCTS_QUERY, operationName: 'Products' };
  const inventory = platform.subgraphs.inventory!;
  const proxy = await platform.addRouter(
    'bare-proxy',
    { TARGET_URL: inventory.url },
    { script: join(__dirname, 'harness', 'bare-proxy.mjs') },
  );
  const systems: System[] = [
    ...routers.map((router): System => ({
      name: router.name,
      request: () => ({
        url: router.url,
        body: JSON.stringify(body),
        headers: { authorization: `Bearer ${token}` },
      }),
      processes: { router: router.process, inventory: inventory.process },
    })),
    {
      name: 'bare proxy (floor)',
      request: () => ({
        url: proxy.url,
        body: JSON.stringify(body),
        headers: signedHeaders(platform.secret, token, body),
      }),
      processes: { router: proxy.process, inventory: inventory.process },
    },
    {
      name: 'inventory direct',
      request: () => ({
        url: inventory.url,
        body: JSON.stringify(body),
        headers: signedHeaders(platform.secret, token, body),
      }),
      processes: { router: routers[0]!.process, inventory: inventory.process },
    },
  ];
  const figures = await compare(systems, { rounds, seconds, connections: 1, warmupSeconds: 2 });
  printFigures(`products(first: 20), concurrency 1, ${rounds} rounds of ${seconds} s`, figures);
  const direct = figures[figures.length - 1]!;
  // The router's own background work (the suspension list poll, timers) runs while it is idle
  // too: its rate, read while inventory is loaded directly, is taken out of each router's CPU
  // (a run is its rounds plus about a second of draining each).
  const busySeconds = (f: SystemFigures) => f.rounds.reduce((sum, r) => sum + r.seconds + 1, 0);
  const sentOf = (f: SystemFigures) => f.rounds.reduce((sum, r) => sum + r.sent, 0);
  const idleMsPerSecond = (direct.cpuMsPerRequest.router! * sentOf(direct)) / busySeconds(direct);
  const netCpu = (f: SystemFigures) =>
    (f.cpuMsPerRequest.router! * sentOf(f) - idleMsPerSecond * busySeconds(f)) / sentOf(f);
  console.log(`router CPU while idle: ${idleMsPerSecond.toFixed(2)} ms/s`);
  for (const f of figures.slice(0, -1)) {
    const floor = f.system.startsWith('bare proxy');
    const cpu = floor
      ? `its CPU ${f.cpuMsPerRequest.router!.toFixed(3)} ms/req`
      : `router CPU ${f.cpuMsPerRequest.router!.toFixed(3)} ms/req (${netCpu(f).toFixed(3)} net of idle)`;
    console.log(
      `${f.system}: p50 ${f.p50Ms.toFixed(2)} ms, overhead ${(f.p50Ms - direct.p50Ms).toFixed(2)} ms over inventory direct; ${cpu}; ${f.requests} requests`,
    );
  }
  if (baseline) {
    const [now, before] = figures;
    console.log(
      `this build / baseline: router CPU per request ${(now!.cpuMsPerRequest.router! / before!.cpuMsPerRequest.router!).toFixed(2)}x (net of idle ${(netCpu(now!) / netCpu(before!)).toFixed(2)}x), p50 overhead ${((now!.p50Ms - direct.p50Ms) / (before!.p50Ms - direct.p50Ms)).toFixed(2)}x`,
    );
  }
  if (profileDir) console.log(`Profiles (written when the routers stop): ${profileDir}/{this,baseline}`);
}

async function tearDown() {
  await stopEverything();
  try {
    await pendingPlatform?.dropSchemas();
  } catch (error) {
    console.error(`could not drop the benchmark's schemas: ${(error as Error).message}`);
  }
  if (leftovers().length) {
    console.error(`processes still running: ${leftovers().join(' ')}`);
    process.exitCode = 1;
  }
}

runBenchmark(main, tearDown);
