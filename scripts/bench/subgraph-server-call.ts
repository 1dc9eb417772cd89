// What one call costs the subgraph that answers it, with nothing else in the way: a subgraph server
// (startSubgraphServer, production settings: router signature required, a token on every call)
// with in-memory resolvers, in a process of its own, called over loopback by this process as the
// router and the other subgraphs call it (signed, kept-alive connections, 8 calls in flight).
// Prints the server's CPU µs per call (/proc/<pid>/stat) for a trivial query, for an `_entities`
// call of 10 representations (the router's entity fields) and for a signed batch of two
// operations. With SUBGRAPH_SERVER_MAIN_ROOT=<dir> a second server runs from that checkout (e.g.
// main) and the two are loaded in alternating rounds: the ratios are printed last.
//   node --conditions=flow-source --import tsx scripts/bench/subgraph-server-call.ts
//   SUBGRAPH_SERVER_ROUNDS=4 SUBGRAPH_SERVER_SECONDS=3 SUBGRAPH_SERVER_MAIN_ROOT=/work/main
//   SUBGRAPH_SERVER_PROFILE=<dir>: each server writes a CPU profile there (cpu-profile.mjs).
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { signRequest } from '@flow/core';
import { batchSignedOperation } from '@flow/subgraph-kit';
import { processCpuMs, runBenchmark } from './measure';

const rounds = Number(process.env.SUBGRAPH_SERVER_ROUNDS ?? 4);
const seconds = Number(process.env.SUBGRAPH_SERVER_SECONDS ?? 3);
const concurrency = 8;
const SECRET = 'subgraph-server-call-bench-secret';
const TOKEN = 'Bearer bench-token';

interface Server {
  name: string;
  child: ChildProcess;
  port: number;
  agent: http.Agent;
}

interface Call {
  name: string;
  body: unknown;
}

const representations = Array.from({ length: 10 }, (_, i) => ({
  __typename: 'Product',
  id: `00000000-0000-4000-8000-00000000000${i}`,
}));
const ENTITIES =
  'query Entities($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { id name sku } } }';
const CALLS: Call[] = [
  { name: 'trivial query', body: { query: 'query Ping { ping }', operationName: 'Ping', variables: {} } },
  { name: '_entities, 10', body: { query: ENTITIES, variables: { representations } } },
  {
    name: 'batch of 2',
    body: [
      { query: ENTITIES, variables: { representations: representations.slice(0, 5) } },
      {
        query: 'query Products($ids: [ID!]!) { products(ids: $ids) { id name } }',
        variables: { ids: ['a', 'b'] },
      },
    ],
  },
];

const servers: Server[] = [];

async function startServer(name: string, root: string): Promise<Server> {
  const profileDir = process.env.SUBGRAPH_SERVER_PROFILE;
  const child = spawn(
    process.execPath,
    [
      '--conditions=flow-source',
      '--import',
      'tsx',
      ...(profileDir ? ['--import', join(__dirname, 'cpu-profile.mjs')] : []),
      join(__dirname, 'subgraph-server-call.server.ts'),
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        BENCH_KIT_ROOT: root,
        BENCH_SECRET: SECRET,
        NODE_ENV: 'production',
        ...(profileDir ? { CPU_PROFILE_DIR: join(profileDir, name) } : {}),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`${name} server exited (${code})`)));
  });
  const server = { name, child, port, agent: new http.Agent({ keepAlive: true }) };
  servers.push(server);
  return server;
}

function send(server: Server, call: Call): Promise<void> {
  const body = JSON.stringify(call.body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const requestId = `bench-${Math.random().toString(36).slice(2, 12)}`;
  const deadline = String(Date.now() + 10_000);
  const operation = Array.isArray(call.body)
    ? batchSignedOperation(call.body)
    : (call.body as { query: string; operationName?: string; variables: Record<string, unknown> });
  const signature = signRequest(SECRET, {
    timestamp,
    requestId,
    authorization: TOKEN,
    deadline,
    query: operation.query,
    operationName: operation.operationName ?? null,
    variables: operation.variables,
  });
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        path: '/graphql',
        method: 'POST',
        agent: server.agent,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          authorization: TOKEN,
          'x-request-id': requestId,
          'x-flow-timestamp': timestamp,
          'x-flow-deadline': deadline,
          'x-flow-signature': signature,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (response.statusCode !== 200 || text.includes('"errors"'))
            reject(new Error(`${server.name} ${call.name}: ${response.statusCode} ${text.slice(0, 300)}`));
          else resolve();
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function drive(server: Server, call: Call, ms: number): Promise<number> {
  const until = performance.now() + ms;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await send(server, call);
        done++;
      }
    }),
  );
  return done;
}

async function main() {
  const mainRoot = process.env.SUBGRAPH_SERVER_MAIN_ROOT;
  const root = join(__dirname, '..', '..');
  const compared = mainRoot ? [await startServer('main', mainRoot)] : [];
  compared.push(await startServer('this', root));
  const totals = new Map<string, { cpuMs: number; calls: number; ms: number }>();
  for (const call of CALLS) for (const server of compared) await drive(server, call, 1500); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const call of CALLS) {
      for (const server of round % 2 ? [...compared].reverse() : compared) {
        const before = processCpuMs(server.child.pid)!;
        const started = performance.now();
        const calls = await drive(server, call, seconds * 1000);
        const ms = performance.now() - started;
        const key = `${server.name}|${call.name}`;
        const total = totals.get(key) ?? { cpuMs: 0, calls: 0, ms: 0 };
        total.cpuMs += processCpuMs(server.child.pid)! - before;
        total.calls += calls;
        total.ms += ms;
        totals.set(key, total);
      }
    }
  }
  const perCall = (key: string) => (totals.get(key)!.cpuMs * 1000) / totals.get(key)!.calls;
  for (const call of CALLS) {
    for (const server of compared) {
      const key = `${server.name}|${call.name}`;
      const t = totals.get(key)!;
      console.log(
        `${server.name.padEnd(5)} ${call.name.padEnd(14)} ${perCall(key).toFixed(0).padStart(6)} µs CPU/call` +
          `  ${((t.calls * 1000) / t.ms).toFixed(0).padStart(6)} calls/s`,
      );
    }
    if (mainRoot)
      console.log(
        `${call.name}: this/main CPU per call x${(perCall(`this|${call.name}`) / perCall(`main|${call.name}`)).toFixed(2)}`,
      );
  }
}

async function stopAll() {
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          server.agent.destroy();
          if (server.child.exitCode !== null) return resolve();
          server.child.once('exit', () => resolve());
          server.child.kill('SIGTERM');
        }),
    ),
  );
}

runBenchmark(async () => {
  try {
    await main();
  } finally {
    await stopAll();
  }
}, stopAll);
