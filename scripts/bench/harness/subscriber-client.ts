// Subscribers in a process of their own: `subscribers` identical subscriptions over `sockets`
// graphql-ws connections. Prints `subscribed` once every subscribe is sent, then for each value of
// `key` in the results, `arrived <value> <count> <first ms> <last ms>` (epoch ms, microseconds) once
// every subscriber has it; `stop` on stdin closes the sockets and ends the process.
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

const spec = JSON.parse(process.argv[2]!) as {
  url: string;
  token: string;
  subscribers: number;
  sockets: number;
  query: string;
  variables: Record<string, unknown>;
  /** The field of the result's first field that tells rounds apart. */
  key: string;
};
const now = () => performance.timeOrigin + performance.now();
const rounds = new Map<string, number[]>();
let failures = 0;

function connect(): Promise<Client> {
  const client = createClient({
    url: spec.url,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${spec.token}` },
    onNonLazyError: () => {},
  });
  return new Promise((resolve, reject) => {
    client.on('connected', () => resolve(client));
    client.on('error', reject);
  });
}

void (async () => {
  const clients = await Promise.all(Array.from({ length: spec.sockets }, connect));
  for (let i = 0; i < spec.subscribers; i++) {
    clients[i % clients.length]!.subscribe<Record<string, Record<string, unknown>>>(
      { query: spec.query, variables: spec.variables },
      {
        next: (result) => {
          const at = now();
          const first = result.data ? Object.values(result.data)[0] : undefined;
          if (!first) return void (failures += 1);
          const key = String(first[spec.key]);
          const arrivals = rounds.get(key) ?? [];
          arrivals.push(at);
          rounds.set(key, arrivals);
          if (arrivals.length === spec.subscribers)
            process.stdout.write(`arrived ${key} ${arrivals.length} ${arrivals[0]} ${arrivals.at(-1)}\n`);
        },
        error: () => (failures += 1),
        complete: () => {},
      },
    );
  }
  process.stdout.write('subscribed\n');
  createInterface({ input: process.stdin })
    .on('line', (line) => {
      if (line !== 'stop') return;
      process.stdout.write(`failures ${failures}\n`);
      void Promise.all(clients.map((client) => client.dispose())).then(() => process.exit(0));
    })
    .on('close', () => process.exit(0));
})();
