// Router CPU per request, side by side: stock @apollo/gateway + @apollo/server (express) and Flow's
// router in front of the same four static subgraphs of The Guild's federation benchmark shape
// (accounts, inventory, products, reviews; mapped onto catalog names users, inventory, pricing,
// reviews so Flow's router accepts them). Every process is separate: subgraphs, the two routers,
// and the load generator (keep-alive HTTP, fixed concurrency). Rounds alternate between the two
// routers; CPU comes from /proc/<pid>/stat.
//
//   node --conditions=flow-source --import tsx scripts/bench/router-micro.ts \
//     [--rounds 4] [--seconds 5] [--concurrency 50] [--profile flow|stock]
//     [--only stock,flow,flow-unlevelled] (the routers to run, all by default)
//     [--unlevelled]: also Flow's router with QUERY_PLAN_LEVELS=false (plans as the gateway makes them)
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import inspector from 'node:inspector';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const CLK_TCK = 100;
const cpuMs = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
};

// ---------------------------------------------------------------------------------------------
// The Guild benchmark's subgraphs (fed 1 SDL, as in the benchmark) and their static data

const SDL: Record<string, string> = {
  users: `
    extend type Query { me: User users: [User] }
    type User @key(fields: "id") { id: ID! name: String username: String birthday: Int }`,
  inventory: `
    extend type Product @key(fields: "upc") {
      upc: String! @external weight: Int @external price: Int @external
      inStock: Boolean shippingEstimate: Int @requires(fields: "price weight")
    }`,
  pricing: `
    extend type Query { topProducts(first: Int = 5): [Product] }
    type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int }`,
  reviews: `
    type Review @key(fields: "id") { id: ID! body: String author: User @provides(fields: "username") product: Product }
    extend type User @key(fields: "id") { id: ID! @external username: String @external reviews: [Review] }
    extend type Product @key(fields: "upc") { upc: String! @external reviews: [Review] }`,
};

const USERS = Array.from({ length: 10 }, (_, i) => ({
  id: String(i + 1),
  name: `User ${i + 1}`,
  username: `user${i + 1}`,
  birthday: 1_000_000 + i,
}));
const PRODUCTS = Array.from({ length: 10 }, (_, i) => ({
  upc: String(i + 1),
  name: `Product ${i + 1}`,
  price: 100 + i * 7,
  weight: 10 + i,
}));
const REVIEWS = Array.from({ length: 30 }, (_, i) => ({
  id: String(i + 1),
  body: `Review body number ${i + 1}, a few words long.`,
  authorId: String((i % 10) + 1),
  upc: String(((i * 3) % 10) + 1),
}));

function resolvers(name: string): Record<string, unknown> {
  const byId = (id: string) => USERS.find((u) => u.id === id);
  const byUpc = (upc: string) => PRODUCTS.find((p) => p.upc === upc);
  switch (name) {
    case 'users':
      return {
        Query: { me: () => USERS[0], users: () => USERS },
        User: { __resolveReference: (r: { id: string }) => byId(r.id) },
      };
    case 'inventory':
      return {
        Product: {
          __resolveReference: (r: { upc: string; price?: number; weight?: number }) => ({
            ...r,
            inStock: Number(r.upc) % 3 !== 0,
          }),
          shippingEstimate: (p: { price?: number; weight?: number }) =>
            (p.price ?? 0) > 1000 ? 0 : Math.round((p.weight ?? 0) * 0.5),
        },
      };
    case 'pricing':
      return {
        Query: { topProducts: (_: unknown, args: { first: number }) => PRODUCTS.slice(0, args.first) },
        Product: { __resolveReference: (r: { upc: string }) => byUpc(r.upc) },
      };
    default:
      return {
        Review: {
          __resolveReference: (r: { id: string }) => REVIEWS.find((x) => x.id === r.id),
          author: (r: { authorId: string }) => ({ id: r.authorId, username: byId(r.authorId)?.username }),
          product: (r: { upc: string }) => ({ upc: r.upc }),
        },
        User: { reviews: (u: { id: string }) => REVIEWS.filter((r) => r.authorId === u.id) },
        Product: { reviews: (p: { upc: string }) => REVIEWS.filter((r) => r.upc === p.upc) },
      };
  }
}

export const QUERY = `
fragment User on User { id username name }
fragment Review on Review { id body }
fragment Product on Product { inStock name price shippingEstimate upc weight }
query TestQuery {
  users { ...User reviews { ...Review product { ...Product reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } } } }
  topProducts { ...Product reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } }
}`;
/** One subgraph, one fetch: the router's own overhead. */
const SMALL_QUERY = `query Small { users { id name } }`;
const SMALL_SUBGRAPH_QUERY = `{ users { id name } }`;

// ---------------------------------------------------------------------------------------------
// Child processes

async function listenOn(server: http.Server, port = 0): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Four subgraphs in one process; batched arrays accepted; counts HTTP requests and operations. */
async function runSubgraphs() {
  const { buildSubgraphSchema } = await import('@apollo/subgraph');
  const { execute, parse, validate } = await import('graphql');
  const counts = { requests: 0, operations: 0 };
  const urls: Record<string, string> = {};
  for (const name of Object.keys(SDL)) {
    const schema = buildSubgraphSchema({ typeDefs: parse(SDL[name]!), resolvers: resolvers(name) as never });
    const documents = new Map<string, ReturnType<typeof parse>>();
    const run = async (op: { query: string; variables?: Record<string, unknown> }) => {
      counts.operations += 1;
      let document = documents.get(op.query);
      if (!document) {
        document = parse(op.query);
        const errors = validate(schema, document);
        if (errors.length) return { errors: errors.map((e) => ({ message: e.message })) };
        documents.set(op.query, document);
      }
      return execute({ schema, document, variableValues: op.variables });
    };
    const server = http.createServer((req, res) => {
      if (req.url === '/__counts') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counts));
        return;
      }
      if (req.method !== 'POST') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
        return;
      }
      counts.requests += 1;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (async () => {
          const body = JSON.parse(Buffer.concat(chunks).toString()) as unknown;
          const result = Array.isArray(body)
            ? await Promise.all(body.map((op) => run(op as { query: string })))
            : await run(body as { query: string });
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
        })();
      });
    });
    // Longer than any pause between rounds: neither router meets a connection closed under it.
    server.keepAliveTimeout = 120_000;
    urls[name] = `http://127.0.0.1:${await listenOn(server)}/graphql`;
  }
  process.send!({ urls });
}

function supergraphSdl(urls: Record<string, string>): Promise<string> {
  return import('@apollo/composition').then(async ({ composeServices }) => {
    const { parse } = await import('graphql');
    const result = composeServices(
      Object.entries(SDL).map(([name, sdl]) => ({ name, url: urls[name]!, typeDefs: parse(sdl) })),
    );
    if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
    return result.supergraphSdl;
  });
}

async function runStock(urls: Record<string, string>) {
  const { ApolloGateway } = await import('@apollo/gateway');
  const { ApolloServer } = await import('@apollo/server');
  const { expressMiddleware } = await import('@as-integrations/express5');
  const express = (await import('express')).default;
  const gateway = new ApolloGateway({ supergraphSdl: await supergraphSdl(urls) });
  const apollo = new ApolloServer({ gateway });
  await apollo.start();
  const app = express();
  app.use('/graphql', express.json(), expressMiddleware(apollo));
  const port = await listenOn(http.createServer(app));
  process.send!({ url: `http://127.0.0.1:${port}/graphql` });
}

async function runFlow(urls: Record<string, string>, levels = true) {
  const { parseRouterConfig, startRouter } = await import('@flow/router');

  const pino = (await import('pino')).default;
  const path = join(mkdtempSync(join(tmpdir(), 'flow-router-micro-')), 'supergraph.graphql');
  writeFileSync(path, await supergraphSdl(urls));
  const config = parseRouterConfig({
    FLOW_ENV: 'production',
    INTERNAL_SIGNING_SECRET: 'bench-router-signing-secret-0123456789abcdef-0123456789',
    SUPERGRAPH_PATH: path,
    PORT: '0',
    LOG_LEVEL: 'info',
    USERS_URL: urls.users!,
    INVENTORY_URL: urls.inventory!,
    PRICING_URL: urls.pricing!,
    REVIEWS_URL: urls.reviews!,
    TRUSTED_DOCUMENTS_DEFAULT_MODE: 'arbitrary',
    // The query is deep and wide by design: the budget is checked, with room for it.
    MAX_QUERY_DEPTH: '20',
    MAX_QUERY_COST: '1000000000',
    RATE_LIMIT_ANONYMOUS_POINTS_PER_MINUTE: '100000000',
    RATE_LIMIT_ADDRESS_POINTS_PER_MINUTE: '100000000',
    RATE_LIMIT_CLIENT_POINTS_PER_MINUTE: '100000000',
    QUERY_PLAN_LEVELS: String(levels),
  });
  // Production logging (one access-log line per request), written where nobody reads it.
  const logger = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
  const router = await startRouter(config, logger);
  process.send!({ url: router.url });
}

interface LoadResult {
  requests: number;
  failures: number;
  latencies: number[];
  body: string;
}

/** Keeps `concurrency` requests in flight for `ms`; every answer must be 200. */
async function runLoad(url: string, query: string, concurrency: number, ms: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const payload = JSON.stringify({ query });
  const target = new URL(url);
  const latencies: number[] = [];
  let failures = 0;
  let body = '';
  const end = Date.now() + ms;
  const one = () =>
    new Promise<void>((resolve) => {
      const started = process.hrtime.bigint();
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
            if (res.statusCode !== 200) failures += 1;
            if (!body) body = Buffer.concat(chunks).toString();
            resolve();
          });
        },
      );
      req.on('error', () => {
        failures += 1;
        resolve();
      });
      req.end(payload);
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      do await one();
      while (Date.now() < end);
    }),
  );
  agent.destroy();
  return { requests: latencies.length, failures, latencies, body };
}

// ---------------------------------------------------------------------------------------------
// The driver

/** What a child answers once ready: subgraph URLs, a router URL, or a load result. */
interface Reply {
  urls: Record<string, string>;
  url: string;
}

function child<R = Reply>(mode: string, payload: unknown): Promise<{ proc: ChildProcess; reply: R }> {
  const proc = fork(__filename, [mode, JSON.stringify(payload)], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    proc.once('message', (reply) => resolve({ proc, reply: reply as R }));
    proc.once('exit', (code) => reject(new Error(`${mode} exited with ${code}`)));
  });
}

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
};

async function main() {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '4' },
      seconds: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '50' },
      profile: { type: 'string' },
      only: { type: 'string' },
      unlevelled: { type: 'boolean', default: false },
    },
  });
  const rounds = Number(values.rounds);
  const ms = Number(values.seconds) * 1000;
  const concurrency = Number(values.concurrency);
  const procs: ChildProcess[] = [];
  try {
    const subgraphs = await child('subgraphs', null);
    procs.push(subgraphs.proc);
    const urls = subgraphs.reply.urls;
    const routers: { name: string; url: string; pid: number }[] = [];
    for (const name of ['stock', 'flow', ...(values.unlevelled ? ['flow-unlevelled'] : [])]) {
      if (values.only && !values.only.split(',').includes(name)) continue;
      const started = await child(name, urls);
      procs.push(started.proc);
      routers.push({ name, url: started.reply.url, pid: started.proc.pid! });
    }
    const subgraphCounts = async () =>
      (await (await fetch(new URL('/__counts', urls.users))).json()) as {
        requests: number;
        operations: number;
      };

    const load = async (url: string, query: string, c: number, duration: number) =>
      (await child<LoadResult>('load', { url, query, concurrency: c, ms: duration })).reply;

    const samples = new Map<string, string>();
    for (const router of routers) {
      await load(router.url, QUERY, concurrency, 2000); // warm-up
      samples.set(router.name, (await load(router.url, QUERY, 1, 1)).body);
    }
    const totals = new Map<
      string,
      { cpu: number; requests: number; calls: number; ops: number; lat: number[]; body: string }
    >();
    const profiled = routers.find((r) => r.name === values.profile);
    const profiledProc = profiled && procs[routers.indexOf(profiled) + 1];
    profiledProc?.send('profile-start');
    for (let round = 0; round < rounds; round += 1) {
      for (const router of round % 2 ? [...routers].reverse() : routers) {
        const cpuBefore = cpuMs(router.pid);
        const countsBefore = await subgraphCounts();
        const result = await load(router.url, QUERY, concurrency, ms);
        if (result.body.includes('"errors"'))
          console.log(`${router.name}: answered errors: ${result.body.slice(0, 400)}`);
        const cpu = cpuMs(router.pid) - cpuBefore;
        const countsAfter = await subgraphCounts();
        if (result.failures)
          throw new Error(`${router.name}: ${result.failures} failed requests: ${result.body.slice(0, 300)}`);
        const total = totals.get(router.name) ?? {
          cpu: 0,
          requests: 0,
          calls: 0,
          ops: 0,
          lat: [],
          body: samples.get(router.name)!,
        };
        total.cpu += cpu;
        total.requests += result.requests;
        total.calls += countsAfter.requests - countsBefore.requests;
        total.ops += countsAfter.operations - countsBefore.operations;
        total.lat.push(...result.latencies);
        totals.set(router.name, total);
        console.log(
          `round ${round + 1} ${router.name.padEnd(15)} ${result.requests} req  ${(cpu / result.requests).toFixed(3)} CPU ms/req`,
        );
      }
    }
    if (profiledProc) {
      const written = new Promise<{ profile: string }>((resolve) => profiledProc.once('message', resolve));
      profiledProc.send('profile-stop');
      console.log(`profile of ${values.profile}: ${(await written).profile}`);
    }
    const stock = totals.get('stock');
    console.log(`\nGuild-shaped query, concurrency ${concurrency}, ${rounds} x ${ms / 1000}s per router`);
    for (const [name, t] of totals) {
      const perReq = t.cpu / t.requests;
      const parsed = JSON.parse(t.body) as { data?: unknown; errors?: unknown };
      const dataHash = createHash('sha256').update(JSON.stringify(parsed.data)).digest('hex').slice(0, 12);
      console.log(
        `${name.padEnd(15)} CPU ${perReq.toFixed(3)} ms/req` +
          (stock ? `  (${(perReq / (stock.cpu / stock.requests)).toFixed(2)}x stock)` : '') +
          `  subgraph HTTP calls/req ${(t.calls / t.requests).toFixed(2)}  operations/req ${(t.ops / t.requests).toFixed(2)}` +
          `  rps ${(t.requests / ((rounds * ms) / 1000)).toFixed(0)}  p50 ${pct(t.lat, 50).toFixed(1)} ms  p99 ${pct(t.lat, 99).toFixed(1)} ms` +
          `  body ${t.body.length} B sha ${createHash('sha256').update(t.body).digest('hex').slice(0, 12)}  data sha ${dataHash}${parsed.errors ? '  ERRORS' : ''}`,
      );
    }

    // The router's own overhead: a one-subgraph query at concurrency 1, against the subgraph itself.
    const direct = await load(urls.users!, SMALL_SUBGRAPH_QUERY, 1, 3000);
    if (direct.failures || !direct.body.includes('"users"')) throw new Error(`subgraph: ${direct.body}`);
    const directP50 = pct(direct.latencies, 50);
    for (const router of routers) {
      const small = await load(router.url, SMALL_QUERY, 1, 3000);
      const p50 = pct(small.latencies, 50);
      console.log(
        `${router.name.padEnd(15)} one-subgraph query, concurrency 1: p50 ${p50.toFixed(2)} ms (subgraph alone ${directP50.toFixed(2)} ms; overhead ${(p50 - directP50).toFixed(2)} ms)`,
      );
    }
  } finally {
    for (const proc of procs.reverse()) {
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.send('stop');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      proc.kill();
    }
  }
}

const [mode, arg] = process.argv.slice(2);
if (mode) process.on('message', (message) => message === 'stop' && process.exit(0));
// --profile: the router's measured rounds only (not its start), as a .cpuprofile for DevTools.
if (mode === 'stock' || mode === 'flow' || mode === 'flow-unlevelled') {
  const session = new inspector.Session();
  session.connect();
  process.on('message', (message) => {
    if (message === 'profile-start') {
      session.post('Profiler.enable', () => session.post('Profiler.start'));
    } else if (message === 'profile-stop') {
      session.post('Profiler.stop', (error, result) => {
        const file = join(tmpdir(), `router-micro-${mode}-${Date.now()}.cpuprofile`);
        if (!error) writeFileSync(file, JSON.stringify(result.profile));
        process.send!({ profile: error ? null : file });
      });
    }
  });
}
// A child's mode and its JSON payload; the parent's own arguments are options (--only a,b).
const payload = arg && ['stock', 'flow', 'flow-unlevelled', 'load'].includes(mode!) ? JSON.parse(arg) : null;
if (mode === 'subgraphs') void runSubgraphs();
else if (mode === 'stock') void runStock(payload);
else if (mode === 'flow') void runFlow(payload);
else if (mode === 'flow-unlevelled') void runFlow(payload, false);
else if (mode === 'load')
  void runLoad(payload.url, payload.query, payload.concurrency, payload.ms).then((r) => {
    process.send!(r, () => process.exit(0));
  });
else
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
