// The federation-gateway-audit suite (The Guild, graphql-hive/federation-gateway-audit) through
// Flow's router and through stock @apollo/gateway, side by side, from a checkout of the suite:
//
//   npm run audit:federation -- --suite <checkout> [--only id,id] [--parallel 2] [--verbose]
//
// The suite's own server runs every test suite's subgraphs (scripts/audit/suite-server.mjs).
// For each test suite: its supergraph is written to a file, Flow's router (FLOW_ENV=production,
// loopback, SUBGRAPH_URLS=supergraph, every check on) and the stock gateway
// (scripts/bench/guild/apollo-gateway.ts) start on it, each test query is sent to both and judged
// as the suite's runner judges it (src/test.ts: `data` deep-equal, and errors present or not when
// the test says so), and both stop. Prints each gateway's score and its failing tests with why.
// Every process it starts is stopped at the end, also on failure or Ctrl-C; it exits 1 if any is
// left. The suite's checkout needs its dependencies (`npm ci`, or `npm ci --omit=dev`: graphql
// then comes from Flow's node_modules); nothing of it is copied into Flow.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import {
  leftovers,
  startTracked,
  stopEverything,
  waitForUrl,
  type Tracked,
} from '../bench/harness/processes';

const root = resolve(__dirname, '..', '..');

/**
 * Flow's router keeps its defaults (authentication, operation budget, rate limits, trusted
 * documents' `arbitrary` mode) except where an audit query needs more room: each line says why.
 */
export const AUDIT_ROUTER_LIMITS: Record<string, string> = {
  // child-type-mismatch nests three lists with no @listSize: each is assumed to hold 10 (the
  // default QUERY_COST_DEFAULT_LIST_SIZE), an estimate of 4,210 against the default 2,500.
  MAX_QUERY_COST: '10000',
  // Each test suite's queries come from one loopback address within a minute, anonymously: the
  // anonymous budget (default 5,000 points a minute) would stop child-type-mismatch's second
  // 4,000-point query. The address budget's default (100,000) is left as it is.
  RATE_LIMIT_ANONYMOUS_POINTS_PER_MINUTE: '100000',
};

interface SuiteTest {
  query: string;
  expected: { data?: unknown; errors?: boolean };
}

interface Outcome {
  name: string;
  passed: boolean;
  /** Why it failed: the difference, or the transport error. */
  reason?: string;
}

interface GatewayScore {
  outcomes: Outcome[];
}

const { values: args } = parseArgs({
  options: {
    suite: { type: 'string' },
    only: { type: 'string' },
    parallel: { type: 'string', default: '2' },
    verbose: { type: 'boolean', default: false },
  },
});

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** Only the variables a child needs: PATH and the like, not this shell's settings for Flow. */
function baseEnv(): NodeJS.ProcessEnv {
  const { PATH, HOME, TMPDIR, LANG } = process.env;
  return { PATH, HOME, TMPDIR, LANG, NODE_ENV: 'production' };
}

/** As the suite's runner sends a query (src/test.ts): JSON in, JSON out, 10 s at most. */
async function send(
  url: string,
  query: string,
  timeoutMs = 10_000,
): Promise<{ data?: unknown; errors?: unknown[] }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return (await response.json()) as { data?: unknown; errors?: unknown[] };
}

/** The suite's verdict (src/test.ts): data deep-equal; errors present or absent when the test says. */
async function judge(url: string, name: string, test: SuiteTest): Promise<Outcome> {
  let response: { data?: unknown; errors?: unknown[] };
  try {
    response = await send(url, test.query);
  } catch (error) {
    return { name, passed: false, reason: `no JSON answer: ${(error as Error).message}` };
  }
  const errorsOptional = typeof test.expected.errors !== 'boolean';
  const received = {
    data: response.data ?? null,
    errors: errorsOptional ? null : Boolean(response.errors?.length),
  };
  const expected = {
    data: test.expected.data ?? null,
    errors: errorsOptional ? null : (test.expected.errors ?? false),
  };
  if (isDeepStrictEqual(received, expected)) return { name, passed: true };
  const messages = (response.errors ?? [])
    .map((e) => {
      const error = e as { message?: string; extensions?: { code?: string } };
      return `${error.extensions?.code ?? ''} ${error.message ?? ''}`.trim();
    })
    .slice(0, 3);
  const dataDiffers = !isDeepStrictEqual(received.data, expected.data);
  // The errors first: they usually say why, and the data can be long.
  const reason = [
    received.errors !== expected.errors ? `errors ${received.errors ? 'present' : 'absent'}` : '',
    messages.length ? `errors: ${messages.join(' | ')}` : '',
    dataDiffers ? `data ${JSON.stringify(received.data)} instead of ${JSON.stringify(expected.data)}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return { name, passed: false, reason: reason.slice(0, 600) };
}

/** Waits until a gateway answers `{ __typename }` with data, or fails if it exits first. */
async function waitForGraphQL(gateway: Tracked, url: string, timeoutMs = 240_000): Promise<void> {
  let exited = false;
  void gateway.exited.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${gateway.name} exited before it was ready:\n${gateway.tail()}`);
    try {
      if ((await send(url, '{ __typename }', 2000)).data) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${gateway.name} not ready within ${timeoutMs / 1000} s:\n${gateway.tail()}`);
}

function startFlowRouter(supergraphPath: string, port: number, usersUrl: string): Tracked {
  return startTracked(
    'flow',
    ['--conditions=flow-source', '--import', 'tsx', join(root, 'router', 'src', 'server.ts')],
    {
      ...baseEnv(),
      FLOW_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      INTERNAL_SIGNING_SECRET: randomBytes(32).toString('hex'),
      SUPERGRAPH_PATH: supergraphPath,
      SUBGRAPH_URLS: 'supergraph',
      // Flow's users is not part of the audit: anonymous requests need neither its token keys nor
      // its suspension list (a token would be refused until it loads, which it never does here).
      USERS_URL: usersUrl,
      ...AUDIT_ROUTER_LIMITS,
    },
    { cwd: root },
  );
}

function startStockGateway(supergraphPath: string, port: number): Tracked {
  return startTracked(
    'stock',
    [
      '--import',
      'tsx',
      join(root, 'scripts', 'bench', 'guild', 'apollo-gateway.ts'),
      supergraphPath,
      String(port),
    ],
    baseEnv(),
    { cwd: root },
  );
}

async function stop(gateway: Tracked): Promise<void> {
  if (gateway.child.exitCode === null && gateway.child.signalCode === null) gateway.child.kill('SIGTERM');
  await gateway.exited;
}

/** Where each gateway's subgraphs run: a suite server of its own (the mutations suite keeps state). */
interface SuiteServers {
  flow: string;
  stock: string;
  /** Flow's users for the router: a free loopback port, nothing listening (see startFlowRouter). */
  usersUrl: string;
}

/** One test suite through both gateways at once: their outcomes, test by test. */
async function runSuite(
  servers: SuiteServers,
  id: string,
  directory: string,
): Promise<{ flow: Outcome[]; stock: Outcome[] }> {
  const starters = {
    flow: (path: string, port: number) => startFlowRouter(path, port, servers.usersUrl),
    stock: startStockGateway,
  };
  const gateways = await Promise.all(
    (['flow', 'stock'] as const).map(async (name) => {
      const server = servers[name];
      const supergraph = await (await fetch(`${server}/${id}/supergraph`)).text();
      // Fetched per gateway, as the suite's runner does: some tests carry a fresh random id.
      const tests = (await (await fetch(`${server}/${id}/tests`)).json()) as SuiteTest[];
      const path = join(directory, `${id}-${name}.graphql`);
      writeFileSync(path, supergraph);
      const port = await freePort();
      return { tests, url: `http://127.0.0.1:${port}/graphql`, child: starters[name](path, port) };
    }),
  );
  try {
    const [flow, stock] = await Promise.all(
      gateways.map(async ({ tests, url, child }) => {
        try {
          await waitForGraphQL(child, url);
        } catch (error) {
          const reason = `gateway did not start: ${(error as Error).message.slice(0, 400)}`;
          return tests.map((_, i) => ({ name: `${id}_${i}`, passed: false, reason }));
        }
        const outcomes: Outcome[] = [];
        // One at a time, as the suite's runner does (concurrency 1).
        for (const [i, test] of tests.entries()) outcomes.push(await judge(url, `${id}_${i}`, test));
        return outcomes;
      }),
    );
    return { flow: flow!, stock: stock! };
  } finally {
    await Promise.all(gateways.map(({ child }) => stop(child)));
  }
}

function score(name: string, result: GatewayScore): string {
  const passed = result.outcomes.filter((o) => o.passed).length;
  const failing = result.outcomes.filter((o) => !o.passed);
  const lines = [`${name}: ${passed}/${result.outcomes.length} passed`];
  for (const outcome of failing) lines.push(`  ✗ ${outcome.name}: ${outcome.reason ?? ''}`);
  return lines.join('\n');
}

/** The suite's own server (every test suite's subgraphs, supergraphs and tests); its URL once up. */
async function startSuiteServer(checkout: string, name: string): Promise<string> {
  const port = await freePort();
  const server = startTracked(
    `suite-${name}`,
    // tsx from Flow's node_modules (the suite's own is a dev dependency), by path: cwd is the checkout.
    [
      '--import',
      pathToFileURL(require.resolve('tsx')).href,
      join(__dirname, 'suite-server.mjs'),
      checkout,
      String(port),
    ],
    // CommonJS packages of the suite that need graphql find Flow's (see resolve-from-flow.mjs).
    { ...baseEnv(), NODE_PATH: join(root, 'node_modules') },
    { cwd: checkout },
  );
  const url = `http://127.0.0.1:${port}`;
  // /ids answers once every test suite has registered its routes (/_health answers before).
  await waitForUrl(server, `${url}/ids`, 240_000);
  return url;
}

async function main(): Promise<number> {
  if (!args.suite)
    throw new Error('usage: npm run audit:federation -- --suite <checkout of federation-gateway-audit>');
  const checkout = resolve(args.suite);
  if (!existsSync(join(checkout, 'src', 'index.ts')) || !existsSync(join(checkout, 'node_modules')))
    throw new Error(
      `${checkout} is not a checkout of federation-gateway-audit with its dependencies (src/index.ts, node_modules: run npm ci there)`,
    );
  const parallel = Math.max(1, Number(args.parallel) || 1);
  const directory = mkdtempSync(join(tmpdir(), 'flow-federation-audit-'));

  // One suite server per gateway, each started fresh, as the suite's runner starts one per run.
  const [flow, stock] = await Promise.all([
    startSuiteServer(checkout, 'flow'),
    startSuiteServer(checkout, 'stock'),
  ]);
  const servers: SuiteServers = { flow, stock, usersUrl: `http://127.0.0.1:${await freePort()}/graphql` };
  let ids = (await (await fetch(`${servers.flow}/ids`)).json()) as string[];
  if (args.only) {
    const only = new Set(args.only.split(','));
    ids = ids.filter((id) => only.has(id));
  }
  console.log(`${ids.length} test suites, ${parallel} at a time (Flow's router and stock @apollo/gateway)`);

  const results = new Map<string, { flow: Outcome[]; stock: Outcome[] }>();
  const queue = [...ids];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const result = await runSuite(servers, id, directory);
        results.set(id, result);
        const count = (outcomes: Outcome[]) =>
          `${outcomes.filter((o) => o.passed).length}/${outcomes.length}`;
        console.log(`  ${id.padEnd(40)} flow ${count(result.flow).padEnd(6)} stock ${count(result.stock)}`);
        if (args.verbose)
          for (const [gateway, outcomes] of Object.entries(result))
            for (const o of outcomes.filter((x) => !x.passed))
              console.log(`    ${gateway} ${o.name}: ${o.reason}`);
      }
    }),
  );
  rmSync(directory, { recursive: true, force: true });

  const ordered = ids.map((id) => results.get(id)!);
  console.log('');
  console.log(score("Flow's router", { outcomes: ordered.flatMap((r) => r.flow) }));
  console.log(score('stock @apollo/gateway', { outcomes: ordered.flatMap((r) => r.stock) }));
  return 0;
}

let stopping: Promise<void> | undefined;
const shutdown = () => (stopping ??= stopEverything());
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void shutdown().then(() => process.exit(130)));

main()
  .catch((error: unknown) => {
    console.error((error as Error).message);
    return 1;
  })
  .then(async (code) => {
    await shutdown();
    const left = leftovers();
    if (left.length) console.error(`still running after the audit: ${left.join(', ')}`);
    process.exit(left.length ? 1 : code);
  });
