// A load generator of its own process: one request at a time (keep-alive) for a while; prints
// the count and the latency percentiles with microsecond resolution as JSON.
import { Agent, request } from 'node:http';

const spec = JSON.parse(process.argv[2]!) as {
  url: string;
  body: string;
  headers?: Record<string, string>;
  seconds: number;
};
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const url = new URL(spec.url);

function once(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...spec.headers },
      },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(spec.body);
  });
}

void (async () => {
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  const started = process.hrtime.bigint();
  const end = started + BigInt(spec.seconds * 1e9);
  while (process.hrtime.bigint() < end) {
    const t0 = process.hrtime.bigint();
    try {
      const status = await once();
      if (status < 200 || status >= 300) non2xx += 1;
    } catch {
      errors += 1;
    }
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? NaN;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(
    JSON.stringify({ requests: latencies.length, errors, non2xx, seconds, p50Ms: at(50), p99Ms: at(99) }),
  );
  agent.destroy();
})();
