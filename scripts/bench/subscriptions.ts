// Benchmark (not a test) of live updates through the router: how long a subscriber waits for a
// driver's reported position, and what fan-out to 100 and 1000 identical subscribers costs the
// router. Every subgraph and the router run as real processes on loopback (test/environment.ts).
//
//   npx tsx scripts/bench/subscriptions.ts      (or npm run bench:subscriptions; BENCH_ROUNDS=30)
//
// The benchmark client shares the machine with the router, the subgraphs and Postgres, so the
// latencies at 1000 subscribers include the client's own time to parse 1000 messages per round
// (see the client CPU column).
//
// measured on 2026-11-25, this machine (2 cores), while other agents' test suites ran on it (load
// average about 6), so read the ratios rather than the absolute numbers:
//   subscribers  scenario                   p50 ms   p99 ms   max ms  sent p50  sent p99  mutation p50    delivered  resolutions  router CPU ms/msg  client CPU ms/msg
//   0            mutation alone               42.7    131.7    131.7         -         -          42.7            -            0           9.33/mut                  -
//   100          deliveryPositionUpdated      19.2     64.5     65.0      70.7     141.4          47.8    3000/3000           30              0.220              0.109
//   100          orderUpdated                 43.8    104.6    106.6      92.3     181.9          46.9    3000/3000           30              0.347              0.087
//   1000         deliveryPositionUpdated      28.4     79.7     82.1      78.0     186.8          45.3  30000/30000           30              0.039              0.019
//   1000         orderUpdated                 52.0    100.7    103.6      99.3     166.1          40.6  30000/30000           30              0.041              0.015
import { performance } from 'node:perf_hooks';
import { createTestEnvironment, type PlatformTestEnvironment } from '../../test/environment';
import { ok, platformAdmin } from '../../test/support/actors';
import {
  DEPOT_POSITION,
  HOSPITAL_POSITION,
  orderInput,
  productIds,
  setUpHospital,
  setUpVendor,
} from '../../test/support/ordering';
import {
  BENCH_LIMITS,
  CLOCK_TICKS_PER_SECOND,
  metric,
  percentile,
  processCpuMs,
  runBenchmark,
} from './measure';
import { connect, disposeClients } from './sockets';
import { CONFIRM, DISPATCH, REPORT } from '../../test/support/orders';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const WARMUP_ROUNDS = 3;
const ROUND_TIMEOUT_MS = 15_000;
const LOADS = [
  { subscribers: 100, connections: 10 },
  { subscribers: 1000, connections: 50 },
];

interface Scenario {
  name: string;
  query: string;
  /** Whether a result is the one the round's report should produce. */
  matches: (data: Record<string, unknown>, lat: number) => boolean;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'deliveryPositionUpdated',
    query:
      'subscription ($id: ID!) { deliveryPositionUpdated(orderId: $id) { lat lng etaMinutes distanceRemainingKm } }',
    matches: (data, lat) => (data.deliveryPositionUpdated as { lat?: number } | undefined)?.lat === lat,
  },
  {
    name: 'orderUpdated',
    query:
      'subscription ($id: ID!) { orderUpdated(orderId: $id) { status site { name } vendor { name } payment { status } } }',
    matches: (data) => (data.orderUpdated as { status?: string } | undefined)?.status === 'DISPATCHED',
  },
];

interface Setup {
  orderId: string;
  driverToken: string;
  hospitalToken: string;
}

interface Row {
  subscribers: number;
  scenario: string;
  fromResponse: number[];
  fromSend: number[];
  mutation: number[];
  delivered: number;
  expected: number;
  routerMessages: number;
  resolutions: number;
  routerCpuMs: number;
  clientCpuMs: number;
  strays: number;
}

/** The router's CPU time so far (it runs as long as the benchmark does). */
const routerCpuTime = (env: PlatformTestEnvironment) => processCpuMs(env.router.child.pid) ?? NaN;

const clientCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function untilMetric(env: PlatformTestEnvironment, name: string, value: number, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while ((await metric(env, name)) !== value) {
    if (Date.now() > deadline) throw new Error(`${name} did not reach ${value}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Every report is a new point on the way from the depot to the hospital, so a subscriber can tell
// which round a position belongs to.
let step = 0;
function nextPosition() {
  const share = ++step / 1000;
  const along = (from: number, to: number) => Math.round((from + (to - from) * share) * 1e6) / 1e6;
  return {
    lat: along(DEPOT_POSITION.lat, HOSPITAL_POSITION.lat),
    lng: along(DEPOT_POSITION.lng, HOSPITAL_POSITION.lng),
  };
}

/** The driver reports a position; times are when it was sent and when its response had arrived. */
async function reportPosition(env: PlatformTestEnvironment, setup: Setup, position = nextPosition()) {
  const sentAt = performance.now();
  const response = await fetch(env.routerUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${setup.driverToken}` },
    body: JSON.stringify({ query: REPORT, variables: { id: setup.orderId, ...position } }),
  });
  const body = (await response.json()) as { errors?: unknown[] };
  const respondedAt = performance.now();
  if (body.errors?.length) throw new Error(`reportDeliveryPosition failed: ${JSON.stringify(body.errors)}`);
  return { ...position, sentAt, respondedAt };
}

async function setUp(env: PlatformTestEnvironment): Promise<Setup> {
  const adminToken = await platformAdmin(env.gql);
  const [product] = await productIds(env.gql, adminToken, 1);
  const vendor = await setUpVendor(env.gql, adminToken, {
    productIds: [product!],
    onHand: 500,
    unitPrice: 4_000,
  });
  const hospital = await setUpHospital(env.gql);
  const placed = await ok<{ placeOrder: { id: string } }>(
    env.gql,
    hospital.admin.token,
    'mutation ($input: PlaceOrderInput!, $key: String!) { placeOrder(input: $input, idempotencyKey: $key) { id } }',
    {
      input: orderInput(hospital, [{ productId: product!, quantity: 2 }], {
        vendorId: vendor.admin.organizationId,
      }),
      key: `bench-${Date.now().toString(36)}`,
    },
  );
  const orderId = placed.placeOrder.id;
  await ok(env.gql, vendor.admin.token, CONFIRM, { id: orderId });
  await ok(env.gql, vendor.admin.token, DISPATCH, { id: orderId, driver: vendor.driver.userId });
  return { orderId, driverToken: vendor.driver.token, hospitalToken: hospital.admin.token };
}

interface Round {
  lat: number;
  /** When each subscriber got its message (NaN: not yet). */
  arrivals: Float64Array;
  remaining: number;
  done: () => void;
}

async function runLoad(
  env: PlatformTestEnvironment,
  setup: Setup,
  load: (typeof LOADS)[number],
  scenario: Scenario,
): Promise<Row> {
  const clients = await Promise.all(
    Array.from({ length: load.connections }, () => connect(env, setup.hospitalToken)),
  );
  let round: Round | null = null;
  let strays = 0;
  const failures: unknown[] = [];
  try {
    for (let index = 0; index < load.subscribers; index++) {
      clients[index % clients.length]!.subscribe<Record<string, unknown>>(
        { query: scenario.query, variables: { id: setup.orderId } },
        {
          next: (result) => {
            const arrivedAt = performance.now();
            const current = round;
            if (
              !current ||
              result.errors?.length ||
              !result.data ||
              !scenario.matches(result.data, current.lat) ||
              !Number.isNaN(current.arrivals[index])
            ) {
              strays += 1;
              return;
            }
            current.arrivals[index] = arrivedAt;
            if (--current.remaining === 0) current.done();
          },
          error: (error) => failures.push(error),
          complete: () => {},
        },
      );
    }
    await untilMetric(env, 'flow_router_subscriptions', load.subscribers);

    const runRound = async (timeoutMs: number) => {
      const position = nextPosition();
      let timer: NodeJS.Timeout | undefined;
      const current: Round = {
        lat: position.lat,
        arrivals: new Float64Array(load.subscribers).fill(NaN),
        remaining: load.subscribers,
        done: () => {},
      };
      const allArrived = new Promise<void>((resolve) => {
        current.done = resolve;
        timer = setTimeout(resolve, timeoutMs);
      });
      round = current;
      const sent = await reportPosition(env, setup, position);
      await allArrived;
      clearTimeout(timer);
      round = null;
      if (failures.length) throw new Error(`a subscription failed: ${JSON.stringify(failures[0])}`);
      return { ...sent, arrivals: current.arrivals };
    };

    for (let i = 0; i < WARMUP_ROUNDS; i++) await runRound(5_000);

    const messagesBefore = await metric(env, 'flow_router_subscription_messages_total');
    const resolutionsBefore = await metric(env, 'flow_router_subscription_resolutions_total');
    const routerBefore = routerCpuTime(env);
    const clientBefore = clientCpuMs();
    const row: Row = {
      subscribers: load.subscribers,
      scenario: scenario.name,
      fromResponse: [],
      fromSend: [],
      mutation: [],
      delivered: 0,
      expected: load.subscribers * ROUNDS,
      routerMessages: 0,
      resolutions: 0,
      routerCpuMs: 0,
      clientCpuMs: 0,
      strays: 0,
    };
    for (let i = 0; i < ROUNDS; i++) {
      const { sentAt, respondedAt, arrivals } = await runRound(ROUND_TIMEOUT_MS);
      row.mutation.push(respondedAt - sentAt);
      for (const arrivedAt of arrivals) {
        if (Number.isNaN(arrivedAt)) continue;
        row.delivered += 1;
        row.fromResponse.push(arrivedAt - respondedAt);
        row.fromSend.push(arrivedAt - sentAt);
      }
    }
    row.routerCpuMs = routerCpuTime(env) - routerBefore;
    row.clientCpuMs = clientCpuMs() - clientBefore;
    row.routerMessages = (await metric(env, 'flow_router_subscription_messages_total')) - messagesBefore;
    row.resolutions = (await metric(env, 'flow_router_subscription_resolutions_total')) - resolutionsBefore;
    row.strays = strays;
    return row;
  } finally {
    await disposeClients();
    await untilMetric(env, 'flow_router_subscriptions', 0).catch(() => {});
  }
}

async function runBaseline(env: PlatformTestEnvironment, setup: Setup) {
  for (let i = 0; i < WARMUP_ROUNDS; i++) await reportPosition(env, setup);
  const resolutionsBefore = await metric(env, 'flow_router_subscription_resolutions_total');
  const routerBefore = routerCpuTime(env);
  const latencies: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const { sentAt, respondedAt } = await reportPosition(env, setup);
    latencies.push(respondedAt - sentAt);
  }
  const routerCpuMs = routerCpuTime(env) - routerBefore;
  const resolutions = (await metric(env, 'flow_router_subscription_resolutions_total')) - resolutionsBefore;
  return { latencies, routerCpuMs, resolutions };
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '-');

function printTable(baseline: Awaited<ReturnType<typeof runBaseline>>, rows: Row[]) {
  const columns = [
    ['subscribers', 11],
    ['scenario', 24],
    ['p50 ms', 7],
    ['p99 ms', 7],
    ['max ms', 7],
    ['sent p50', 8],
    ['sent p99', 8],
    ['mutation p50', 12],
    ['delivered', 11],
    ['resolutions', 11],
    ['router CPU ms/msg', 17],
    ['client CPU ms/msg', 17],
  ] as const;
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i < 2 ? cell.padEnd(columns[i]![1]) : cell.padStart(columns[i]![1]))).join('  ');
  console.log(line(columns.map(([title]) => title)));
  console.log(
    line([
      '0',
      'mutation alone',
      ms(percentile(baseline.latencies, 50)),
      ms(percentile(baseline.latencies, 99)),
      ms(Math.max(...baseline.latencies)),
      '-',
      '-',
      ms(percentile(baseline.latencies, 50)),
      '-',
      String(baseline.resolutions),
      `${(baseline.routerCpuMs / ROUNDS).toFixed(2)}/mut`,
      '-',
    ]),
  );
  for (const row of rows)
    console.log(
      line([
        String(row.subscribers),
        row.scenario,
        ms(percentile(row.fromResponse, 50)),
        ms(percentile(row.fromResponse, 99)),
        ms(Math.max(...row.fromResponse)),
        ms(percentile(row.fromSend, 50)),
        ms(percentile(row.fromSend, 99)),
        ms(percentile(row.mutation, 50)),
        `${row.delivered}/${row.expected}`,
        String(row.resolutions),
        (row.routerCpuMs / Math.max(1, row.delivered)).toFixed(3),
        (row.clientCpuMs / Math.max(1, row.delivered)).toFixed(3),
      ]),
    );
  console.log(
    [
      '',
      `${ROUNDS} measured rounds per row (after ${WARMUP_ROUNDS} warm-up rounds), one reportDeliveryPosition per round.`,
      'p50/p99/max: from the mutation response arriving to a subscriber getting its message (across all',
      'subscribers and rounds; negative if the message won the race). sent p50/p99: from the mutation being sent.',
      'Row 0: the mutation alone, no subscribers: its p50/p99/max are send-to-response times; router CPU per mutation.',
      `Router CPU from /proc/<pid>/stat utime+stime over the measured rounds (CLK_TCK ${CLOCK_TICKS_PER_SECOND});`,
      'it includes serving the mutation itself.',
    ].join('\n'),
  );
  for (const row of rows) {
    if (row.routerMessages !== row.delivered || row.strays > 0)
      console.log(
        `note: ${row.subscribers} ${row.scenario}: router sent ${row.routerMessages} messages, ` +
          `${row.delivered} arrived in their round, ${row.strays} arrived late or unexpected`,
      );
  }
}

let environment: Promise<PlatformTestEnvironment> | undefined;
let stopping: Promise<void> | undefined;
const stopEnvironment = () =>
  (stopping ??= (async () => {
    await disposeClients();
    const env = await environment?.catch(() => undefined);
    await env?.stop();
  })());

async function main() {
  const started = performance.now();
  console.log('starting the environment (every subgraph and the router)...');
  environment = createTestEnvironment({ LOG_LEVEL: 'warn', ...BENCH_LIMITS });
  const env = await environment;
  const setup = await setUp(env);
  console.log(`ready in ${((performance.now() - started) / 1000).toFixed(1)} s; measuring...`);
  const baseline = await runBaseline(env, setup);
  const rows: Row[] = [];
  for (const load of LOADS)
    for (const scenario of SCENARIOS) {
      rows.push(await runLoad(env, setup, load, scenario));
      console.log(`  done: ${load.subscribers} subscribers, ${scenario.name}`);
    }
  console.log('');
  printTable(baseline, rows);
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

runBenchmark(main, stopEnvironment);
