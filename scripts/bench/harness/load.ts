// The load generators, each a separate process: autocannon for throughput (its latencies have
// millisecond resolution), and a sequential client (sequential-client.ts, microseconds) for the
// latency of one request at a time.
import { join } from 'node:path';
import { cpuMsOf, startTracked } from './processes';

const root = join(__dirname, '..', '..', '..');

export interface LoadRequest {
  url: string;
  body: string;
  headers?: Record<string, string>;
  /** One `authorization` header per request in turn (many viewers), instead of one in `headers`. */
  authorizations?: string[];
}

export interface LoadResult {
  /** Answered within the run. */
  requests: number;
  /** Sent, including those still in flight when the run ended (the servers did their work). */
  sent: number;
  errors: number;
  non2xx: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU of the load generator itself. */
  clientCpuMs: number;
}

async function runClient(name: string, args: string[]): Promise<{ output: string; cpuMs: number }> {
  const client = startTracked(name, args, { ...process.env, NODE_OPTIONS: '' }, { cwd: root });
  let output = '';
  client.child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let cpuMs = 0;
  // Sampled while it runs: once it has exited, /proc no longer has its counters.
  const sampler = setInterval(() => (cpuMs = Math.max(cpuMs, cpuMsOf(client))), 100);
  const code = await client.exited;
  clearInterval(sampler);
  if (code !== 0) throw new Error(`${name} exited with ${code}:\n${client.tail()}`);
  return { output, cpuMs };
}

/** autocannon for `seconds` at `connections`. */
export async function autocannon(
  request: LoadRequest,
  connections: number,
  seconds: number,
  /** amount: this many requests instead of a duration; `[<id>]` in the body becomes a unique id. */
  extra: { amount?: number } = {},
): Promise<LoadResult> {
  const headers = { 'content-type': 'application/json', ...request.headers };
  const args = request.authorizations
    ? [
        join(__dirname, 'autocannon-viewers.mjs'),
        JSON.stringify({ ...request, headers, connections, seconds }),
      ]
    : [
        join(root, 'node_modules', 'autocannon', 'autocannon.js'),
        '--json',
        '--connections',
        String(connections),
        ...(extra.amount
          ? ['--amount', String(extra.amount), '--idReplacement']
          : ['--duration', String(seconds)]),
        '--method',
        'POST',
        '--body',
        request.body,
        ...Object.entries(headers).flatMap(([name, value]) => ['--headers', `${name}=${value}`]),
        request.url,
      ];
  if (request.authorizations && extra.amount) throw new Error('amount with many viewers is not supported');
  const { output, cpuMs } = await runClient('autocannon', args);
  const result = JSON.parse(output) as {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    requests: { total: number; sent: number };
    latency: { p50: number; p99: number };
  };
  return {
    requests: result.requests.total,
    sent: Math.max(result.requests.sent, result.requests.total),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    seconds: result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    clientCpuMs: cpuMs,
  };
}

/** One request at a time for `seconds` (concurrency 1), latencies in microseconds. */
export async function sequential(request: LoadRequest, seconds: number): Promise<LoadResult> {
  const spec = JSON.stringify({ ...request, seconds });
  const { output, cpuMs } = await runClient('sequential', [
    '--import',
    'tsx',
    join(__dirname, 'sequential-client.ts'),
    spec,
  ]);
  const result = JSON.parse(output) as Omit<LoadResult, 'clientCpuMs' | 'sent'>;
  return { ...result, sent: result.requests, clientCpuMs: cpuMs };
}
