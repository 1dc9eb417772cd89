// Scenario 1, The Guild's federation benchmark shape: four static subgraphs and one query (about
// 87 KB of answer) through Flow's router, stock @apollo/gateway and Hive Gateway. Answers are
// checked against the stock gateway's (JSON with keys in canonical order, and byte for byte).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../test/environment';
import { composeGuildSupergraph } from '../guild/compose';
import { GUILD_QUERY } from '../guild/query';
import { GUILD_SUBGRAPHS, type GuildSubgraph } from '../guild/schemas';
import { compare, type CompareOptions, type System, type SystemFigures } from './compare';
import type { FlowPlatform } from './flow-platform';
import { LEAN_NODE_ENV } from './flow-platform';
import { startTracked, waitForUrl, type Tracked } from './processes';

const root = join(__dirname, '..', '..', '..');
const guildDir = join(__dirname, '..', 'guild');

/**
 * Flow's router calls only the subgraphs of Flow's catalog, by name (their URLs from <NAME>_URL):
 * for it the four are composed under catalog names whose real subgraphs its own features never
 * call (users stays the real one: the router reads its signing keys and suspension list there).
 */
const FLOW_NAMES: Record<GuildSubgraph, string> = {
  accounts: 'locations',
  inventory: 'inventory',
  products: 'pricing',
  reviews: 'reviews',
};

/** The variables of Flow's router raised for this query (its protections stay on): README "Performance". */
export const GUILD_ROUTER_LIMITS = {
  // The query's nested lists have no @listSize: at the default assumed size of 10 its estimate is
  // far above the default budget of 2,500.
  MAX_QUERY_COST: '100000000',
};

export interface FederationResult {
  responseBytes: number;
  /**
   * Per system: answers checked, those whose data and errors differ from the stock gateway's once
   * keys are put in canonical order, those identical byte for byte (all but a trailing newline),
   * those identical byte for byte once the top-level `extensions` member is taken out (Flow's
   * router reports the operation's cost there; the rest of the text must be the stock gateway's,
   * key order and all),
   * the first difference found, and the extensions the system adds (not compared).
   */
  verification: Record<
    string,
    {
      checked: number;
      mismatches: number;
      byteIdentical: number;
      byteIdenticalBesideExtensions: number;
      firstDifference?: string;
      extensions?: string[];
    }
  >;
  hive: { ran: boolean; reason?: string };
  figures: SystemFigures[];
}

const plainEnv = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NODE_ENV: 'production',
  APOLLO_TELEMETRY_DISABLED: '1',
  ...LEAN_NODE_ENV,
});

/** The first path where two answers differ, for the report. */
function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b)) return path || '(root)';
  if (a && b && typeof a === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b as object)])];
    for (const key of keys) {
      const found = firstDifference(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        `${path}.${key}`,
      );
      if (found) return found;
    }
    return null;
  }
  return a === b ? null : path;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  return value;
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 500)}`);
  return text;
}

export async function runFederation(
  platform: FlowPlatform,
  options: CompareOptions & { verifyRequests: number; hive: boolean },
): Promise<FederationResult> {
  const ports = Object.fromEntries(
    await Promise.all(GUILD_SUBGRAPHS.map(async (name) => [name, await freePort()] as const)),
  ) as Record<GuildSubgraph, number>;
  const urls = Object.fromEntries(
    GUILD_SUBGRAPHS.map((name) => [name, `http://127.0.0.1:${ports[name]}/graphql`]),
  ) as Record<GuildSubgraph, string>;
  const subgraphs = {} as Record<GuildSubgraph, Tracked>;
  for (const name of GUILD_SUBGRAPHS) {
    subgraphs[name] = startTracked(
      `g-${name}`,
      ['--import', 'tsx', join(guildDir, 'subgraph.ts'), name, String(ports[name])],
      plainEnv(),
      { cwd: root },
    );
  }
  for (const name of GUILD_SUBGRAPHS)
    await waitForUrl(subgraphs[name], `http://127.0.0.1:${ports[name]}/calls`);
  const subgraphCalls = async () => {
    let calls = 0;
    for (const name of GUILD_SUBGRAPHS)
      calls += ((await (await fetch(`http://127.0.0.1:${ports[name]}/calls`)).json()) as { calls: number })
        .calls;
    return calls;
  };

  const dir = mkdtempSync(join(tmpdir(), 'flow-bench-guild-'));
  const supergraph = join(dir, 'supergraph.graphql');
  writeFileSync(supergraph, composeGuildSupergraph(urls));
  const flowSupergraph = join(dir, 'supergraph-flow-names.graphql');
  writeFileSync(flowSupergraph, composeGuildSupergraph(urls, FLOW_NAMES));

  const apolloPort = await freePort();
  const apollo = startTracked(
    'apollo-gw',
    ['--import', 'tsx', join(guildDir, 'apollo-gateway.ts'), supergraph, String(apolloPort)],
    plainEnv(),
    { cwd: root },
  );
  const apolloUrl = `http://127.0.0.1:${apolloPort}/graphql`;

  const flow = await platform.addRouter('flow-guild', {
    SUPERGRAPH_PATH: flowSupergraph,
    ...Object.fromEntries(
      GUILD_SUBGRAPHS.map((name) => [`${FLOW_NAMES[name].toUpperCase()}_URL`, urls[name]]),
    ),
    ...GUILD_ROUTER_LIMITS,
  });

  // BENCH_ROUTER_VARIANTS='{"<name>":{"env":{...},"args":[...]}}': more Flow routers side by side,
  // each with other variables or Node flags (after its own): a setting measured on its own.
  const variants = JSON.parse(process.env.BENCH_ROUTER_VARIANTS ?? '{}') as Record<
    string,
    { env?: Record<string, string>; args?: string[] }
  >;
  const variantRouters: { name: string; url: string; gateway: Tracked }[] = [];
  for (const [name, variant] of Object.entries(variants)) {
    const router = await platform.addRouter(
      `flow-${name}`,
      {
        SUPERGRAPH_PATH: flowSupergraph,
        ...Object.fromEntries(
          GUILD_SUBGRAPHS.map((guild) => [`${FLOW_NAMES[guild].toUpperCase()}_URL`, urls[guild]]),
        ),
        ...GUILD_ROUTER_LIMITS,
        ...variant.env,
      },
      { nodeArgs: variant.args },
    );
    variantRouters.push({ name: `flow-${name}`, url: router.url, gateway: router.process });
  }
  const body = JSON.stringify({ query: GUILD_QUERY });
  await waitForUrl(apollo, `${apolloUrl}?query=%7B__typename%7D`, 90_000, {
    'apollo-require-preflight': 'true',
  });

  let hive: Tracked | undefined;
  let hiveUrl = '';
  const hiveStatus: FederationResult['hive'] = { ran: false };
  if (options.hive) {
    const hivePort = await freePort();
    // No --hive-* or --apollo-* options: no registry, no usage reporting, no telemetry.
    hive = startTracked(
      'hive-gw',
      [
        join(root, 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js'),
        'supergraph',
        supergraph,
        '--port',
        String(hivePort),
        '--host',
        '127.0.0.1',
        '--fork',
        '1',
        '--disable-websockets',
      ],
      plainEnv(),
      { cwd: dir },
    );
    hiveUrl = `http://127.0.0.1:${hivePort}/graphql`;
    try {
      await waitForUrl(hive, `http://127.0.0.1:${hivePort}/healthcheck`, 60_000);
      hiveStatus.ran = true;
    } catch (error) {
      hiveStatus.reason = (error as Error).message.slice(0, 500);
      hive.child.kill('SIGKILL');
      hive = undefined;
    }
  } else hiveStatus.reason = 'skipped (--no-hive)';

  const candidates: { name: string; url: string; gateway: Tracked }[] = [
    { name: 'flow-router', url: flow.url, gateway: flow.process },
    ...variantRouters,
    { name: 'apollo-gateway', url: apolloUrl, gateway: apollo },
    ...(hive ? [{ name: 'hive-gateway', url: hiveUrl, gateway: hive }] : []),
  ];
  const baseline = (await post(apolloUrl, body)).trimEnd();
  const compared = (text: string) => {
    const { data, errors } = JSON.parse(text) as { data?: unknown; errors?: unknown };
    return canonical({ data, errors });
  };
  const baselineCompared = compared(baseline);
  const baselineCanonical = JSON.stringify(baselineCompared);
  const verification: FederationResult['verification'] = {};
  for (const { name, url } of candidates) {
    const outcome: FederationResult['verification'][string] = {
      checked: 0,
      mismatches: 0,
      byteIdentical: 0,
      byteIdenticalBesideExtensions: 0,
    };
    for (let i = 0; i < options.verifyRequests; i++) {
      const text = (await post(url, body)).trimEnd();
      outcome.checked += 1;
      if (text === baseline) outcome.byteIdentical += 1;
      try {
        const answer = compared(text);
        const { extensions, ...rest } = JSON.parse(text) as { extensions?: object };
        if (extensions) outcome.extensions = Object.keys(extensions);
        // Both are compact JSON: the same bytes once re-serialised means the same keys in the same order.
        if (text === baseline || JSON.stringify(rest) === baseline)
          outcome.byteIdenticalBesideExtensions += 1;
        if (JSON.stringify(answer) !== baselineCanonical) {
          outcome.mismatches += 1;
          outcome.firstDifference ??= firstDifference(baselineCompared, answer) ?? undefined;
        }
      } catch {
        outcome.mismatches += 1;
        outcome.firstDifference ??= 'not JSON';
      }
    }
    verification[name] = outcome;
  }

  const systems: System[] = candidates.map(({ name, url, gateway }) => ({
    name,
    request: () => ({ url, body }),
    processes: { gateway, ...subgraphs },
    subgraphCalls,
  }));
  const figures = await compare(systems, options);
  return { responseBytes: Buffer.byteLength(baseline), verification, hive: hiveStatus, figures };
}
