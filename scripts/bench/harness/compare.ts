// Systems compared under the same load, interleaved round by round (A, B, C, A, B, C, ...) so that
// a slow moment of the machine falls on every system alike. Per system: requests/s, latency
// percentiles (the median of the rounds' percentiles), CPU ms per request of every process from
// /proc (utime + stime deltas, read once the servers are idle again, divided by the requests sent:
// those still in flight when a run ends were worked on too), peak RSS (VmHWM), and calls counted
// at the subgraphs per request (from requests sent one at a time: under load the calls of requests
// in flight at the edges of a round would blur the count).
import { percentile } from '../measure';
import { autocannon, sequential, type LoadRequest, type LoadResult } from './load';
import { chargedCpuMs, chargedPeakRssMb, type Charged } from './processes';

export interface System {
  name: string;
  /** A fresh request per round (signatures expire). */
  request: () => LoadRequest;
  /** The processes whose CPU is charged to this system, by role (gateway, accounts, postgres, ...). */
  processes: Record<string, Charged>;
  /** Calls answered by the subgraphs so far, in total. */
  subgraphCalls?: () => Promise<number>;
}

export interface SystemFigures {
  system: string;
  requests: number;
  errors: number;
  non2xx: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerRequest: Record<string, number>;
  loadGeneratorCpuMsPerRequest: number;
  peakRssMb: Record<string, number>;
  subgraphCallsPerRequest: number | null;
  rounds: LoadResult[];
}

export interface CompareOptions {
  rounds: number;
  seconds: number;
  /** 1: the sequential client; more: autocannon. */
  connections: number;
  warmupSeconds: number;
  /** Requests sent one at a time before the rounds to count subgraph calls per request. */
  probeRequests?: number;
}

/**
 * Waits until the subgraphs' call count has not moved for a second (what was in flight when the
 * load stopped is finished: a gateway may compute for a while between two calls of one request).
 */
async function drained(system: System): Promise<void> {
  if (!system.subgraphCalls) return new Promise((r) => setTimeout(r, 1000));
  let last = await system.subgraphCalls();
  let quietSince = Date.now();
  const deadline = Date.now() + 60_000;
  while (Date.now() - quietSince < 1000 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await system.subgraphCalls();
    if (now !== last) quietSince = Date.now();
    last = now;
  }
}

async function callsPerRequest(system: System, count: number): Promise<number | null> {
  if (!system.subgraphCalls) return null;
  const before = await system.subgraphCalls();
  for (let i = 0; i < count; i++) {
    const request = system.request();
    const response = await fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headersOf(request, i) },
      body: request.body,
    });
    // A refused request calls no subgraph: counting it would understate the calls.
    const answer = (await response.json()) as { errors?: unknown[] };
    if (!response.ok || answer.errors)
      throw new Error(`${system.name}: ${response.status} ${JSON.stringify(answer.errors)}`);
  }
  return ((await system.subgraphCalls()) - before) / count;
}

async function load(system: System, options: CompareOptions, seconds: number) {
  const request = system.request();
  return options.connections === 1
    ? sequential({ ...request, headers: headersOf(request, 0) }, seconds)
    : autocannon(request, options.connections, seconds);
}

/** The request's headers, with the i-th of its `authorizations` (in turn) if it has them. */
function headersOf(request: LoadRequest, i: number): Record<string, string> | undefined {
  const { authorizations } = request;
  if (!authorizations?.length) return request.headers;
  return { ...request.headers, authorization: authorizations[i % authorizations.length]! };
}

export async function compare(systems: System[], options: CompareOptions): Promise<SystemFigures[]> {
  const calls: (number | null)[] = [];
  for (const system of systems) {
    await load(system, options, options.warmupSeconds);
    await drained(system);
    calls.push(await callsPerRequest(system, options.probeRequests ?? 5));
  }
  const totals = systems.map(() => ({
    rounds: [] as LoadResult[],
    cpu: {} as Record<string, number>,
  }));
  for (let round = 0; round < options.rounds; round++) {
    for (const [i, system] of systems.entries()) {
      const cpuBefore = Object.fromEntries(
        Object.entries(system.processes).map(([role, p]) => [role, chargedCpuMs(p)]),
      );
      const result = await load(system, options, options.seconds);
      await drained(system);
      const total = totals[i]!;
      for (const [role, p] of Object.entries(system.processes))
        total.cpu[role] = (total.cpu[role] ?? 0) + chargedCpuMs(p) - cpuBefore[role]!;
      total.rounds.push(result);
      console.log(
        `  round ${round + 1}/${options.rounds} ${system.name.padEnd(18)} ${(result.requests / result.seconds).toFixed(0).padStart(6)} req/s  p50 ${result.p50Ms.toFixed(2)} ms`,
      );
    }
  }
  return systems.map((system, i) => {
    const { rounds, cpu } = totals[i]!;
    const requests = rounds.reduce((sum, r) => sum + r.requests, 0);
    const sent = rounds.reduce((sum, r) => sum + r.sent, 0);
    const seconds = rounds.reduce((sum, r) => sum + r.seconds, 0);
    const perRequest = (value: number) => (sent ? value / sent : NaN);
    return {
      system: system.name,
      requests,
      errors: rounds.reduce((sum, r) => sum + r.errors, 0),
      non2xx: rounds.reduce((sum, r) => sum + r.non2xx, 0),
      requestsPerSecond: requests / seconds,
      p50Ms: percentile(
        rounds.map((r) => r.p50Ms),
        50,
      ),
      p99Ms: percentile(
        rounds.map((r) => r.p99Ms),
        50,
      ),
      cpuMsPerRequest: Object.fromEntries(Object.entries(cpu).map(([role, ms]) => [role, perRequest(ms)])),
      loadGeneratorCpuMsPerRequest: perRequest(rounds.reduce((sum, r) => sum + r.clientCpuMs, 0)),
      peakRssMb: Object.fromEntries(
        Object.entries(system.processes).map(([role, p]) => [role, chargedPeakRssMb(p)]),
      ),
      subgraphCallsPerRequest: calls[i]!,
      rounds,
    };
  });
}
