// Scenario 3, live updates: 100 and then 1,000 identical deliveryPositionUpdated subscriptions
// (subscriber-client.ts, a process of its own) while the driver reports positions one at a time;
// per report, how long until the first and the last subscriber had it, and the router's CPU per
// delivered message.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { GraphQLClient } from '@flow/testing';
import { login, ok } from '../../../test/support/actors';
import { wsUrl } from '../../../test/support/live';
import { CONFIRM, DISPATCH, REPORT } from '../../../test/support/orders';
import {
  DEPOT_POSITION,
  HOSPITAL_POSITION,
  orderInput,
  setUpHospital,
  setUpVendor,
} from '../../../test/support/ordering';
import { percentile } from '../measure';
import type { FlowPlatform } from './flow-platform';
import { cpuMsOf, startTracked } from './processes';

const SUBSCRIPTION =
  'subscription ($id: ID!) { deliveryPositionUpdated(orderId: $id) { lat lng etaMinutes distanceRemainingKm } }';

export interface LiveRow {
  subscribers: number;
  sockets: number;
  rounds: number;
  delivered: number;
  expected: number;
  /** From sending the report to the first and to the last subscriber's message, ms. */
  firstP50Ms: number;
  lastP50Ms: number;
  lastP99Ms: number;
  routerCpuMsPerMessage: number;
  clientFailures: number;
}

/** The router's live subscriptions; NaN when /metrics did not answer (asked again). */
async function subscriptionsGauge(platform: FlowPlatform): Promise<number> {
  let text: string;
  try {
    text = await (await fetch(new URL('/metrics', platform.routerUrl))).text();
  } catch {
    return NaN;
  }
  return text
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('flow_router_subscriptions ') || line.startsWith('flow_router_subscriptions{'),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function runLive(
  platform: FlowPlatform,
  gql: GraphQLClient,
  productId: string,
  options: { quick: boolean },
): Promise<LiveRow[]> {
  const adminToken = await login(gql, platform.admin.email, platform.admin.password);
  const vendor = await setUpVendor(gql, adminToken, {
    productIds: [productId],
    onHand: 100,
    unitPrice: 4000,
  });
  const hospital = await setUpHospital(gql);
  const placed = await ok<{ placeOrder: { id: string } }>(
    gql,
    hospital.admin.token,
    'mutation ($input: PlaceOrderInput!, $key: String!) { placeOrder(input: $input, idempotencyKey: $key) { id } }',
    {
      input: orderInput(hospital, [{ productId, quantity: 2 }], { vendorId: vendor.admin.organizationId }),
      key: `bench-live-${Date.now().toString(36)}`,
    },
  );
  const orderId = placed.placeOrder.id;
  await ok(gql, vendor.admin.token, CONFIRM, { id: orderId });
  await ok(gql, vendor.admin.token, DISPATCH, { id: orderId, driver: vendor.driver.userId });

  let step = 0;
  const rows: LiveRow[] = [];
  const rounds = options.quick ? 5 : 30;
  for (const { subscribers, sockets } of [
    { subscribers: 100, sockets: 10 },
    { subscribers: 1000, sockets: 50 },
  ]) {
    const client = startTracked(
      'subscribers',
      [
        '--import',
        'tsx',
        join(__dirname, 'subscriber-client.ts'),
        JSON.stringify({
          url: wsUrl(platform.routerUrl),
          token: hospital.admin.token,
          subscribers,
          sockets,
          query: SUBSCRIPTION,
          variables: { id: orderId },
          key: 'lat',
        }),
      ],
      { ...process.env, NODE_OPTIONS: '' },
    );
    const arrived = new Map<string, (line: string[]) => void>();
    let failures = 0;
    createInterface({ input: client.child.stdout! }).on('line', (line) => {
      const parts = line.split(' ');
      if (parts[0] === 'arrived') arrived.get(parts[1]!)?.(parts);
      if (parts[0] === 'failures') failures = Number(parts[1]);
    });
    try {
      await until(
        async () => (await subscriptionsGauge(platform)) >= subscribers,
        `${subscribers} subscriptions`,
      );
      const first: number[] = [];
      const last: number[] = [];
      let delivered = 0;
      const cpuBefore = cpuMsOf(platform.router);
      for (let i = 0; i < rounds + 2; i++) {
        const share = ++step / 1000;
        const along = (from: number, to: number) => Math.round((from + (to - from) * share) * 1e6) / 1e6;
        const position = {
          lat: along(DEPOT_POSITION.lat, HOSPITAL_POSITION.lat),
          lng: along(DEPOT_POSITION.lng, HOSPITAL_POSITION.lng),
        };
        const all = new Promise<string[] | null>((resolve) => {
          arrived.set(String(position.lat), resolve);
          setTimeout(() => resolve(null), 15_000).unref();
        });
        const sentAt = performance.timeOrigin + performance.now();
        await ok(gql, vendor.driver.token, REPORT, { id: orderId, ...position });
        const parts = await all;
        if (i < 2) continue; // warm-up rounds
        if (!parts) continue;
        delivered += Number(parts[2]);
        first.push(Number(parts[3]) - sentAt);
        last.push(Number(parts[4]) - sentAt);
      }
      const routerCpuMs = cpuMsOf(platform.router) - cpuBefore;
      client.child.stdin!.write('stop\n');
      await client.exited;
      const row: LiveRow = {
        subscribers,
        sockets,
        rounds,
        delivered,
        expected: subscribers * rounds,
        firstP50Ms: percentile(first, 50),
        lastP50Ms: percentile(last, 50),
        lastP99Ms: percentile(last, 99),
        routerCpuMsPerMessage: routerCpuMs / Math.max(1, delivered),
        clientFailures: failures,
      };
      rows.push(row);
      console.log(
        `  ${subscribers} subscribers: ${delivered}/${row.expected} delivered, first p50 ${row.firstP50Ms.toFixed(1)} ms, last p50 ${row.lastP50Ms.toFixed(1)} ms, router ${row.routerCpuMsPerMessage.toFixed(3)} CPU ms/message`,
      );
    } finally {
      client.child.kill('SIGTERM');
      await client.exited;
    }
    await until(async () => (await subscriptionsGauge(platform)) === 0, 'the subscriptions to end').catch(
      () => undefined,
    );
  }
  return rows;
}
