// `npm run bench`: Flow's performance in one command (README "Performance"). Builds, starts
// Flow compiled and in production mode on loopback, runs the scenarios with load from separate
// processes, systems interleaved round by round, prints the tables and writes the report to
// .bench/report-<time>.json. Every process it starts is stopped at the end, also on failure or
// Ctrl-C, and its database schemas are dropped.
//   npm run bench                 full run
//   npm run bench -- --quick      a few seconds per system (CI: scripts/test/bench-quick.test.ts)
//   options: --no-build  --no-hive  --only=federation,overhead,operations
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createGraphQLClient } from '@flow/testing';
import { registerOrganization } from '../../test/support/actors';
import { runBenchmark } from './measure';
import { runFederation, GUILD_ROUTER_LIMITS, type FederationResult } from './harness/federation';
import { pendingPlatform, RAISED_LIMITS, startFlowPlatform } from './harness/flow-platform';
import { runLive } from './harness/live';
import { judgeGoals } from './harness/goals';
import { runOperations, type OperationsResult } from './harness/operations';
import { runOverhead, type OverheadResult } from './harness/overhead';
import { leftovers, peakRssMbOf, rssMbOf, startedPids, stopEverything } from './harness/processes';
import { printFigures, printGoals } from './harness/table';

const root = join(__dirname, '..', '..');
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const runs = (scenario: string) => !only || only.includes(scenario);
const quick = flag('quick');

const settings = quick
  ? { rounds: 2, seconds: 3, warmupSeconds: 2, connections: 10, verifyRequests: 5, overheadSeconds: 3 }
  : { rounds: 5, seconds: 10, warmupSeconds: 5, connections: 20, verifyRequests: 50, overheadSeconds: 8 };

const report: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  command: `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
  mode: quick ? 'quick' : 'full',
  settings,
  machine: { node: process.version, cpus: cpus().length },
  raisedRouterVariables: { ...RAISED_LIMITS, ...GUILD_ROUTER_LIMITS },
};

function build() {
  if (flag('no-build')) return;
  console.log('Building (tsc -b tsconfig.build.json) ...');
  const result = spawnSync(
    join(root, 'node_modules', '.bin', 'tsc'),
    ['-b', join(root, 'tsconfig.build.json')],
    {
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) throw new Error('the build failed');
}

async function main() {
  build();
  console.log('Starting Flow (compiled, FLOW_ENV=production) ...');
  const platform = await startFlowPlatform();
  const gql = createGraphQLClient(platform.routerUrl);
  const hospital = await registerOrganization(gql, 'HOSPITAL', 'Bench Hospital');
  let federation: FederationResult | undefined;
  let operations: OperationsResult | undefined;
  let overhead: OverheadResult | undefined;

  if (runs('federation')) {
    console.log('\nScenario 1: federation benchmark shape (Flow router, Apollo Gateway, Hive Gateway)');
    const result = await runFederation(platform, { ...settings, hive: !flag('no-hive') });
    federation = result;
    report.federation = result;
    printFigures(
      `Federation query (${result.responseBytes} bytes), ${settings.connections} connections`,
      result.figures,
    );
    const [flow, apollo, hive] = ['flow-router', 'apollo-gateway', 'hive-gateway'].map((name) =>
      result.figures.find((f) => f.system === name),
    );
    const ratios = {
      flowOverApolloGatewayCpuPerRequest:
        flow && apollo ? flow.cpuMsPerRequest.gateway! / apollo.cpuMsPerRequest.gateway! : null,
      subgraphCallsPerRequest: Object.fromEntries(
        result.figures.map((f) => [f.system, f.subgraphCallsPerRequest]),
      ),
      hiveOverApolloGatewayCpuPerRequest:
        hive && apollo ? hive.cpuMsPerRequest.gateway! / apollo.cpuMsPerRequest.gateway! : null,
    };
    report.federationRatios = ratios;
    console.log(`\nResponses against the stock gateway's: ${JSON.stringify(result.verification)}`);
    if (!result.hive.ran) console.log(`Hive Gateway did not run: ${result.hive.reason}`);
    console.log(
      `Router CPU per request, Flow / Apollo Gateway: ${ratios.flowOverApolloGatewayCpuPerRequest?.toFixed(2)}x; subgraph calls per request: ${JSON.stringify(ratios.subgraphCallsPerRequest)}`,
    );
  }

  if (runs('operations')) {
    console.log('\nScenario 3: Flow operations on a seeded data set');
    operations = await runOperations(platform, gql, { quick, ...settings });
    report.operations = operations;
    printFigures(`Flow operations, ${settings.connections} connections`, operations.load);
    console.log('\nScenario 3: live updates, deliveryPositionUpdated at 100 and 1,000 subscribers');
    report.subscriptions = await runLive(platform, gql, operations.seed.contendedProductId, { quick });
  }

  if (runs('overhead')) {
    console.log('\nScenario 2: router overhead, products(first: 20), one request at a time');
    overhead = await runOverhead(platform, hospital.token, {
      ...settings,
      seconds: settings.overheadSeconds,
    });
    report.overhead = overhead;
    printFigures('Router overhead (concurrency 1)', overhead.figures);
    console.log(`p50 difference (router - direct): ${overhead.p50DifferenceMs.toFixed(3)} ms`);
  }

  // VmHWM: the most each subgraph held at any time since it started, whichever scenario it was.
  const subgraphPeakRssMb = Object.fromEntries(
    Object.entries(platform.subgraphs).map(([name, subgraph]) => [name, peakRssMbOf(subgraph.process)]),
  );
  report.subgraphPeakRssMb = subgraphPeakRssMb;
  report.subgraphRssAtEndMb = Object.fromEntries(
    Object.entries(platform.subgraphs).map(([name, subgraph]) => [name, rssMbOf(subgraph.process)]),
  );
  const goals = judgeGoals({ federation, operations, overhead, subgraphPeakRssMb });
  report.goals = goals;
  printGoals(goals);
}

async function tearDown() {
  await stopEverything();
  try {
    await pendingPlatform?.dropSchemas();
  } catch (error) {
    console.error(`could not drop the benchmark's schemas: ${(error as Error).message}`);
  }
  report.schemaPrefix = pendingPlatform?.schemaPrefix;
  report.finishedAt = new Date().toISOString();
  report.processesStarted = startedPids();
  report.processesLeft = leftovers();
  mkdirSync(join(root, '.bench'), { recursive: true });
  const file = join(root, '.bench', `report-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nReport: ${file}`);
  console.log(`Processes started: ${startedPids().length}, still running: ${leftovers().length}`);
  if (leftovers().length) process.exitCode = 1;
}

runBenchmark(main, tearDown);
