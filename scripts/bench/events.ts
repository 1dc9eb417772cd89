// Benchmark (not a test) of durable domain events, HTTP push against RabbitMQ: how long a hospital
// waits for the notification of a confirmed order, and how fast a backlog of order events goes
// through the orders outbox relay and the notifications consumer. Every subgraph and the router run
// as real processes on loopback (test/environment.ts), once per transport, one after the other.
//
//   npx tsx scripts/bench/events.ts      (or npm run bench:events; BENCH_ROUNDS=30, BENCH_EVENTS=500)
//
// The backlog rows copy a real order.confirmed outbox row (new event and order ids) straight into
// the orders outbox with SQL: 500 confirmations through the router would take minutes and measure
// orders, not the events. Over HTTP push a relay pushes a batch of 100 and the inbox handles it one
// event at a time; over RabbitMQ the consumer runs up to 16 (its prefetch) at once, which is most of
// the throughput difference. p99 of 30 rounds is their maximum.
//
// measured on 2026-11-25, this machine (2 cores, load average about 2, nothing else running),
// BENCH_ROUNDS=30 BENCH_EVENTS=500, at 4b0be91 (total 87 s):
//                                            HTTP push    RabbitMQ       ratio
//   notification latency: confirmOrder response -> notificationAdded (ORDER_CONFIRMED) at the hospital, 30 rounds
//     p50 ms                                      37.6        32.1        0.85
//     p99 ms                                      59.9        55.6        0.93
//     max ms                                      59.9        55.6        0.93
//     from send p50 ms                            63.5        56.8        0.89
//     confirmOrder p50 ms                         26.3        24.3        0.93
//     delivered                                     30          30        1.00
//     router CPU ms/round                        18.67       16.33        0.87
//     orders CPU ms/round                        30.33       23.67        0.78
//     notifications CPU ms/round                 11.67        9.00        0.77
//     broker CPU ms/round                         0.33        2.33        7.00
//   backlog of 500 order.confirmed events released into the orders outbox while notifications runs
//     first notification s                        0.91        0.90        0.98
//     outbox drained s                            3.06        1.34        0.44
//     all consumed s                              3.05        2.22        0.73
//     events/s (release -> all)                    164         226        1.38
//     events/s (first -> last)                     233         377        1.62
//     orders CPU ms/event                         0.22        0.28        1.27
//     notifications CPU ms/event                  2.20        1.50        0.68
//     router CPU ms/event                         0.76        0.36        0.47
//     broker CPU ms/event                         0.08        0.38        4.75
//   backlog of 500 order.confirmed events written while notifications was stopped (5 s), then restarted
//     outbox drained s after write                9.79        0.93        0.09
//     restart -> ready s                          2.49        2.60        1.04
//     restart -> first notification s             3.01        2.34        0.78
//     restart -> all consumed s                   4.67        3.89        0.83
//     events/s (restart -> all)                    107         129        1.20
//     events/s (first -> last)                     301         321        1.07
//     orders CPU ms/event (write -> all)          0.46        0.32        0.70
//     broker CPU ms/event (write -> all)          0.10        0.48        4.80
//
// Side by side with a baseline run two minutes later on the same machine, the same command, with
// notifications' inbox as it was at 6a8c96f (a Prisma interactive transaction: BEGIN, claim,
// insert, COMMIT; now one statement): notifications CPU per event 8.10 -> 2.20 ms (HTTP push) and
// 6.54 -> 1.50 ms (RabbitMQ); backlog throughput (release -> all) 78 -> 164 and 104 -> 226
// events/s; notification latency p50 44.3 -> 37.6 and 42.1 -> 32.1 ms.
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createTestEnvironment, type PlatformTestEnvironment } from '../../test/environment';
import { platformAdmin } from '../../test/support/actors';
import { brokerForTest, type TestBroker } from '../../test/support/broker';
import {
  orderInput,
  productIds,
  setUpHospital,
  setUpVendor,
  type Hospital,
  type Vendor,
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
import { CONFIRM, orderClient } from '../../test/support/orders';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 500);
const WARMUP_ROUNDS = 3;
const ROUND_TIMEOUT_MS = 15_000;
/** How long notifications stays down after the backlog is written (the same for both transports). */
const DOWN_MS = 5_000;
const BACKLOG_TIMEOUT_MS = 180_000;

const SUBSCRIPTION = 'subscription { notificationAdded { type order { number } } }';

type TransportName = 'HTTP push' | 'RabbitMQ';
type Cpu = Record<'router' | 'orders' | 'notifications' | 'broker', number | null>;

interface Latency {
  fromResponse: number[];
  fromSend: number[];
  mutation: number[];
  delivered: number;
  strays: number;
  /** CPU ms over the measured rounds. */
  cpu: Cpu;
}

/** Times in ms from the phase's reference moment (see each phase), from the rows' own timestamps. */
interface Backlog {
  firstConsumedMs: number;
  allConsumedMs: number;
  outboxDrainedMs: number;
  /** From the first notification to the last. */
  consumeSpanMs: number;
  cpu: Cpu;
}

interface DownBacklog extends Backlog {
  /** From the backlog being written (notifications down) to the last row published. */
  drainedAfterInsertMs: number;
  /** From the restart to /health/ready. */
  readyMs: number;
}

interface Measured {
  latency: Latency;
  live: Backlog;
  down: DownBacklog;
}

/** The local RabbitMQ node, if there is exactly one to be seen (it serves every user of the broker). */
const BROKER_PID = (() => {
  try {
    const pids = execFileSync('pgrep', ['-x', 'beam.smp']).toString().trim().split('\n');
    return pids.length === 1 ? Number(pids[0]) : null;
  } catch {
    return null;
  }
})();

function cpuNow(env: PlatformTestEnvironment): Cpu {
  return {
    router: processCpuMs(env.router.child.pid),
    orders: processCpuMs(env.subgraphs.orders!.process.child.pid),
    notifications: processCpuMs(env.subgraphs.notifications!.process.child.pid),
    broker: processCpuMs(BROKER_PID),
  };
}

function cpuSince(before: Cpu, after: Cpu): Cpu {
  const spent = (name: keyof Cpu) => {
    const [a, b] = [before[name], after[name]];
    return a === null || b === null ? null : b - a;
  };
  return {
    router: spent('router'),
    orders: spent('orders'),
    notifications: spent('notifications'),
    broker: spent('broker'),
  };
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000, pollMs = 100) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Parties {
  vendor: Vendor;
  hospital: Hospital;
  product: string;
}

async function setUpParties(env: PlatformTestEnvironment): Promise<Parties> {
  const adminToken = await platformAdmin(env.gql);
  const [product] = await productIds(env.gql, adminToken, 1);
  const vendor = await setUpVendor(env.gql, adminToken, {
    productIds: [product!],
    onHand: 500,
    unitPrice: 4_000,
  });
  return { vendor, hospital: await setUpHospital(env.gql), product: product! };
}

/** Orders ready to be confirmed, placed before anything is timed; their ORDER_PLACED notifications made. */
async function placeOrders(env: PlatformTestEnvironment, parties: Parties, count: number) {
  const { placed } = orderClient(() => env);
  const orders: { id: string; number: string }[] = [];
  for (let i = 0; i < count; i++)
    orders.push(
      await placed(
        parties.hospital,
        orderInput(parties.hospital, [{ productId: parties.product, quantity: 1 }], {
          vendorId: parties.vendor.admin.organizationId,
        }),
      ),
    );
  await until(
    async () => (await notificationCount(env, "type = 'ORDER_PLACED'")) >= count,
    `${count} ORDER_PLACED notifications`,
  );
  return orders;
}

async function notificationCount(env: PlatformTestEnvironment, where: string, values: unknown[] = []) {
  const [row] = await env.sql<{ n: number }>(
    'notifications',
    `SELECT count(*)::int AS n FROM notifications WHERE ${where}`,
    values,
  );
  return row!.n;
}

interface NotificationAdded {
  notificationAdded: { type: string; order: { number: string } | null };
}

/**
 * Per round the vendor confirms one order (its response timed) and the hospital admin, subscribed
 * to notificationAdded, waits for that order's ORDER_CONFIRMED.
 */
async function measureLatency(env: PlatformTestEnvironment, parties: Parties): Promise<Latency> {
  const orders = await placeOrders(env, parties, WARMUP_ROUNDS + ROUNDS);
  const client = await connect(env, parties.hospital.admin.token);
  let round: { number: string; arrivedAt: number; done: () => void } | null = null;
  let strays = 0;
  const failures: unknown[] = [];
  client.subscribe<NotificationAdded>(
    { query: SUBSCRIPTION },
    {
      next: (result) => {
        const arrivedAt = performance.now();
        const added = result.data?.notificationAdded;
        const current = round;
        if (
          !current ||
          result.errors?.length ||
          added?.type !== 'ORDER_CONFIRMED' ||
          added.order?.number !== current.number ||
          !Number.isNaN(current.arrivedAt)
        ) {
          strays += 1;
          return;
        }
        current.arrivedAt = arrivedAt;
        current.done();
      },
      error: (error) => failures.push(error),
      complete: () => {},
    },
  );
  try {
    await until(async () => (await metric(env, 'flow_router_subscriptions')) === 1, 'the subscription');
    const runRound = async (order: { id: string; number: string }) => {
      let timer: NodeJS.Timeout | undefined;
      const current = { number: order.number, arrivedAt: NaN, done: () => {} };
      const arrived = new Promise<void>((resolve) => {
        current.done = resolve;
        timer = setTimeout(resolve, ROUND_TIMEOUT_MS);
      });
      round = current;
      const sentAt = performance.now();
      const response = await fetch(env.routerUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${parties.vendor.admin.token}`,
        },
        body: JSON.stringify({ query: CONFIRM, variables: { id: order.id } }),
      });
      const body = (await response.json()) as { errors?: unknown[] };
      const respondedAt = performance.now();
      if (body.errors?.length) throw new Error(`confirmOrder failed: ${JSON.stringify(body.errors)}`);
      await arrived;
      clearTimeout(timer);
      round = null;
      if (failures.length) throw new Error(`the subscription failed: ${JSON.stringify(failures[0])}`);
      return { sentAt, respondedAt, arrivedAt: current.arrivedAt };
    };

    for (const order of orders.slice(0, WARMUP_ROUNDS)) await runRound(order);
    const before = cpuNow(env);
    const latency: Latency = {
      fromResponse: [],
      fromSend: [],
      mutation: [],
      delivered: 0,
      strays: 0,
      cpu: before,
    };
    for (const order of orders.slice(WARMUP_ROUNDS)) {
      const { sentAt, respondedAt, arrivedAt } = await runRound(order);
      latency.mutation.push(respondedAt - sentAt);
      if (Number.isNaN(arrivedAt)) continue;
      latency.delivered += 1;
      latency.fromResponse.push(arrivedAt - respondedAt);
      latency.fromSend.push(arrivedAt - sentAt);
    }
    latency.cpu = cpuSince(before, cpuNow(env));
    latency.strays = strays;
    return latency;
  } finally {
    await disposeClients();
  }
}

/**
 * Writes `count` copies of a real order.confirmed outbox row straight into the orders outbox, each
 * with a new event id and order id (one ORDER_CONFIRMED notification each); `hidden` ones are
 * stamped as published so that the relay leaves them alone until they are released.
 */
async function writeBacklog(env: PlatformTestEnvironment, count: number, hidden: boolean) {
  const [template] = await env.sql<{ id: string }>(
    'orders',
    "SELECT id FROM outbox_events WHERE type = 'order.confirmed' ORDER BY occurred_at DESC LIMIT 1",
  );
  if (!template) throw new Error('no order.confirmed event in the orders outbox to copy');
  const rows = await env.sql<{ id: string }>(
    'orders',
    `INSERT INTO outbox_events (id, type, occurred_at, actor, organization_ids, data, published_at)
     SELECT gen_random_uuid(), type, clock_timestamp(), actor, organization_ids,
            data || jsonb_build_object('orderId', gen_random_uuid()::text, 'number', (data->>'number') || '-B' || n),
            CASE WHEN $3 THEN clock_timestamp() END
     FROM outbox_events, generate_series(1, $2::int) AS n WHERE id = $1
     RETURNING id`,
    [template.id, count, hidden],
  );
  return rows.map((row) => row.id);
}

async function outboxState(env: PlatformTestEnvironment, ids: string[]) {
  const [row] = await env.sql<{ pending: number; last: Date | null }>(
    'orders',
    `SELECT count(*) FILTER (WHERE published_at IS NULL)::int AS pending, max(published_at) AS last
     FROM outbox_events WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return row!;
}

/** Waits for one notification per event; returns when the first and last were made (epoch ms). */
async function consumed(env: PlatformTestEnvironment, ids: string[]) {
  await until(
    async () => (await notificationCount(env, 'event_id = ANY($1::uuid[])', [ids])) >= ids.length,
    `${ids.length} notifications from the backlog`,
    BACKLOG_TIMEOUT_MS,
  );
  const [row] = await env.sql<{ first: Date; last: Date }>(
    'notifications',
    'SELECT min(created_at) AS first, max(created_at) AS last FROM notifications WHERE event_id = ANY($1::uuid[])',
    [ids],
  );
  return { first: row!.first.getTime(), last: row!.last.getTime() };
}

/** A backlog released into the outbox at once while notifications runs: relay and consumer together. */
async function measureLiveBacklog(env: PlatformTestEnvironment): Promise<Backlog> {
  const ids = await writeBacklog(env, EVENTS, true);
  const before = cpuNow(env);
  const releasedAt = Date.now();
  await env.sql('orders', 'UPDATE outbox_events SET published_at = NULL WHERE id = ANY($1::uuid[])', [ids]);
  const { first, last } = await consumed(env, ids);
  const cpu = cpuSince(before, cpuNow(env));
  const drained = await outboxState(env, ids);
  return {
    firstConsumedMs: first - releasedAt,
    allConsumedMs: last - releasedAt,
    outboxDrainedMs: drained.last!.getTime() - releasedAt,
    consumeSpanMs: last - first,
    cpu,
  };
}

/**
 * A backlog written while notifications is stopped, then notifications started again. Over
 * RabbitMQ the relay publishes it into the durable queue meanwhile; over HTTP the pushes fail and
 * the relay backs off (up to 10 s) until notifications answers again.
 */
async function measureDownBacklog(env: PlatformTestEnvironment): Promise<DownBacklog> {
  await env.stopSubgraph('notifications');
  const before = cpuNow(env);
  const insertedAt = Date.now();
  const ids = await writeBacklog(env, EVENTS, false);
  await sleep(DOWN_MS);
  const startedAt = Date.now();
  await env.startSubgraph('notifications');
  const readyMs = Date.now() - startedAt;
  const { first, last } = await consumed(env, ids);
  // notifications is a new process: its CPU since spawn includes starting up, so it is left out.
  const cpu = { ...cpuSince(before, cpuNow(env)), notifications: null };
  await until(async () => (await outboxState(env, ids)).pending === 0, 'the orders outbox to drain');
  const drainedAt = (await outboxState(env, ids)).last!.getTime();
  return {
    firstConsumedMs: first - startedAt,
    allConsumedMs: last - startedAt,
    outboxDrainedMs: drainedAt - startedAt,
    drainedAfterInsertMs: drainedAt - insertedAt,
    consumeSpanMs: last - first,
    readyMs,
    cpu,
  };
}

// The environment and broker of the transport being measured, for the interrupt handler.
let current: { environment?: Promise<PlatformTestEnvironment>; broker?: TestBroker } = {};
let tearingDown: Promise<void> | undefined;

/** Stops the current environment and removes its queues; a second caller waits for the first. */
const tearDown = () =>
  (tearingDown ??= (async () => {
    const { environment, broker } = current;
    current = {};
    await disposeClients();
    const env = await environment?.catch(() => undefined);
    await env?.stop().catch((error: unknown) => console.error('stopping the environment failed:', error));
    await broker
      ?.remove()
      .catch((error: unknown) => console.error('removing the broker queues failed:', error));
  })().finally(() => (tearingDown = undefined)));

async function measure(transport: TransportName): Promise<Measured> {
  const started = performance.now();
  const broker = transport === 'RabbitMQ' ? brokerForTest('bench-events') : undefined;
  current = {
    broker,
    environment: createTestEnvironment({ LOG_LEVEL: 'warn', ...BENCH_LIMITS, ...broker?.env }),
  };
  try {
    const env = await current.environment!;
    const parties = await setUpParties(env);
    console.log(
      `${transport}: ready in ${((performance.now() - started) / 1000).toFixed(1)} s; measuring...`,
    );
    const latency = await measureLatency(env, parties);
    console.log(`  done: latency (${latency.delivered}/${ROUNDS} delivered)`);
    const live = await measureLiveBacklog(env);
    console.log(`  done: ${EVENTS} events released while notifications runs`);
    const down = await measureDownBacklog(env);
    console.log(`  done: ${EVENTS} events while notifications was down`);
    return { latency, live, down };
  } finally {
    await tearDown();
  }
}

type Cell = number | null;
type TableRow = { label: string; values: (m: Measured) => Cell; digits?: number } | string;

const perEvent = (cpuMs: number | null) => (cpuMs === null ? null : cpuMs / EVENTS);
const perRound = (cpuMs: number | null) => (cpuMs === null ? null : cpuMs / ROUNDS);
const seconds = (ms: number) => ms / 1000;
const rate = (events: number, ms: number) => (ms > 0 ? (events * 1000) / ms : null);

const TABLE: TableRow[] = [
  `notification latency: confirmOrder response -> notificationAdded (ORDER_CONFIRMED) at the hospital, ${ROUNDS} rounds`,
  { label: 'p50 ms', values: (m) => percentile(m.latency.fromResponse, 50) },
  { label: 'p99 ms', values: (m) => percentile(m.latency.fromResponse, 99) },
  { label: 'max ms', values: (m) => Math.max(...m.latency.fromResponse) },
  { label: 'from send p50 ms', values: (m) => percentile(m.latency.fromSend, 50) },
  { label: 'confirmOrder p50 ms', values: (m) => percentile(m.latency.mutation, 50) },
  { label: 'delivered', values: (m) => m.latency.delivered, digits: 0 },
  { label: 'router CPU ms/round', values: (m) => perRound(m.latency.cpu.router), digits: 2 },
  { label: 'orders CPU ms/round', values: (m) => perRound(m.latency.cpu.orders), digits: 2 },
  { label: 'notifications CPU ms/round', values: (m) => perRound(m.latency.cpu.notifications), digits: 2 },
  { label: 'broker CPU ms/round', values: (m) => perRound(m.latency.cpu.broker), digits: 2 },
  `backlog of ${EVENTS} order.confirmed events released into the orders outbox while notifications runs`,
  { label: 'first notification s', values: (m) => seconds(m.live.firstConsumedMs), digits: 2 },
  { label: 'outbox drained s', values: (m) => seconds(m.live.outboxDrainedMs), digits: 2 },
  { label: 'all consumed s', values: (m) => seconds(m.live.allConsumedMs), digits: 2 },
  { label: 'events/s (release -> all)', values: (m) => rate(EVENTS, m.live.allConsumedMs), digits: 0 },
  { label: 'events/s (first -> last)', values: (m) => rate(EVENTS - 1, m.live.consumeSpanMs), digits: 0 },
  { label: 'orders CPU ms/event', values: (m) => perEvent(m.live.cpu.orders), digits: 2 },
  { label: 'notifications CPU ms/event', values: (m) => perEvent(m.live.cpu.notifications), digits: 2 },
  { label: 'router CPU ms/event', values: (m) => perEvent(m.live.cpu.router), digits: 2 },
  { label: 'broker CPU ms/event', values: (m) => perEvent(m.live.cpu.broker), digits: 2 },
  `backlog of ${EVENTS} order.confirmed events written while notifications was stopped (${DOWN_MS / 1000} s), then restarted`,
  { label: 'outbox drained s after write', values: (m) => seconds(m.down.drainedAfterInsertMs), digits: 2 },
  { label: 'restart -> ready s', values: (m) => seconds(m.down.readyMs), digits: 2 },
  { label: 'restart -> first notification s', values: (m) => seconds(m.down.firstConsumedMs), digits: 2 },
  { label: 'restart -> all consumed s', values: (m) => seconds(m.down.allConsumedMs), digits: 2 },
  { label: 'events/s (restart -> all)', values: (m) => rate(EVENTS, m.down.allConsumedMs), digits: 0 },
  { label: 'events/s (first -> last)', values: (m) => rate(EVENTS - 1, m.down.consumeSpanMs), digits: 0 },
  { label: 'orders CPU ms/event (write -> all)', values: (m) => perEvent(m.down.cpu.orders), digits: 2 },
  { label: 'broker CPU ms/event (write -> all)', values: (m) => perEvent(m.down.cpu.broker), digits: 2 },
];

function printTable(http: Measured, rabbit: Measured) {
  const format = (value: Cell, digits: number) =>
    value === null || !Number.isFinite(value) ? '-' : value.toFixed(digits);
  const line = (cells: string[]) =>
    [cells[0]!.padEnd(38), ...cells.slice(1).map((cell) => cell.padStart(10))].join('  ');
  console.log(line(['', 'HTTP push', 'RabbitMQ', 'ratio']));
  for (const row of TABLE) {
    if (typeof row === 'string') {
      console.log(row);
      continue;
    }
    const [a, b] = [row.values(http), row.values(rabbit)];
    const ratio =
      a !== null && b !== null && Number.isFinite(a) && Number.isFinite(b) && a !== 0 ? b / a : null;
    const digits = row.digits ?? 1;
    console.log(line([`  ${row.label}`, format(a, digits), format(b, digits), format(ratio, 2)]));
  }
  console.log(
    [
      '',
      `ratio: RabbitMQ / HTTP push. Latency: ${ROUNDS} measured rounds after ${WARMUP_ROUNDS} warm-up rounds, one confirmOrder`,
      'per round; from the mutation response to the subscription message (from send: from the request being sent).',
      "Backlog times come from the rows' own timestamps (outbox published_at, notifications created_at).",
      `CPU: /proc/<pid>/stat utime+stime (CLK_TCK ${CLOCK_TICKS_PER_SECOND}) of the child processes; "broker" is the whole`,
      'RabbitMQ node (beam.smp), shared with anything else using it: its HTTP push column is that background.',
      "notifications' CPU is left out of the restart rows: its new process's count includes starting up.",
      'Restart rows: over HTTP push the relay backs off while notifications is down (up to 10 s), so the first',
      'notification waits for its next try; over RabbitMQ the backlog is already in the queue.',
    ].join('\n'),
  );
  for (const [name, m] of [
    ['HTTP push', http],
    ['RabbitMQ', rabbit],
  ] as const) {
    if (m.latency.strays > 0 || m.latency.delivered < ROUNDS)
      console.log(
        `note: ${name}: ${m.latency.delivered}/${ROUNDS} notifications arrived in their round, ` +
          `${m.latency.strays} arrived late or unexpected`,
      );
  }
}

async function main() {
  const started = performance.now();
  if (BROKER_PID === null) console.log('no single local beam.smp process: broker CPU is not measured');
  console.log('starting every subgraph and the router, HTTP push first (no AMQP_URL), then RabbitMQ...');
  const http = await measure('HTTP push');
  const rabbit = await measure('RabbitMQ');
  console.log('');
  printTable(http, rabbit);
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

runBenchmark(main, tearDown);
