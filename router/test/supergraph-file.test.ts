// SUBGRAPH_URLS=supergraph: the router process serves a supergraph file of subgraphs that are not
// Flow's (two tiny ones, each its own process, reached at their join__graph URLs), in production
// mode with every check on, and refuses at start a file that is missing or not a supergraph.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { InvalidEnvironmentError } from '@flow/core';
import { parseRouterConfig } from '../src/env';
import { TINY_SUBGRAPHS } from './fixtures/tiny-subgraph';

const repositoryRoot = join(__dirname, '..', '..');
const serverEntry = join(repositoryRoot, 'router', 'src', 'server.ts');
const subgraphEntry = join(__dirname, 'fixtures', 'tiny-subgraph.ts');
const directory = mkdtempSync(join(tmpdir(), 'flow-supergraph-file-'));
const started: ChildProcessWithoutNullStreams[] = [];

/** A process of ours (node + tsx, no wrapper process), stopped in afterAll. */
function start(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['--conditions=flow-source', '--import', 'tsx', ...args], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH, ...env },
  });
  started.push(child);
  return child;
}

/** The first stdout line `matches` accepts; fails with the output if the process exits first. */
function lineOf<T>(child: ChildProcessWithoutNullStreams, matches: (line: string) => T | undefined) {
  return new Promise<T>((resolve, reject) => {
    let output = '';
    createInterface({ input: child.stdout }).on('line', (line) => {
      output += `${line}\n`;
      const found = matches(line);
      if (found !== undefined) resolve(found);
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`exited with ${code} before it was ready:\n${output}`)));
  });
}

/** Runs the router to its exit: its code and stderr. */
function runToExit(env: Record<string, string>) {
  const child = start([serverEntry], env);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  return new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stderr })),
  );
}

const productionEnv = {
  FLOW_ENV: 'production',
  NODE_ENV: 'production',
  INTERNAL_SIGNING_SECRET: 'supergraph-file-test-secret-0123456789abcdef',
  PORT: '0',
  LOG_LEVEL: 'info',
  SUBGRAPH_URLS: 'supergraph',
  // Flow's users (token keys, suspension list) is not running: anonymous requests need neither.
  // beforeAll points it at a free loopback port.
  USERS_URL: 'http://127.0.0.1:1/graphql',
  MAX_QUERY_ALIASES: '2',
};

/** A loopback port nothing listens on (it was free a moment ago). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function post(url: string, query: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return {
    status: response.status,
    body: (await response.json()) as {
      data?: unknown;
      errors?: { message: string; extensions?: Record<string, unknown> }[];
      extensions?: Record<string, unknown>;
    },
  };
}

let routerUrl: string;
const subgraphUrls: Record<string, string> = {};

// Three processes start under tsx on a busy machine: the hooks wait on their readiness lines.
beforeAll(async () => {
  productionEnv.USERS_URL = `http://127.0.0.1:${await freePort()}/graphql`;
  await Promise.all(
    Object.keys(TINY_SUBGRAPHS).map(async (name) => {
      const child = start([subgraphEntry, name]);
      subgraphUrls[name] = await lineOf(child, (line) => (JSON.parse(line) as { url: string }).url);
    }),
  );
  const composed = composeServices(
    Object.entries(TINY_SUBGRAPHS).map(([name, sdl]) => ({
      name,
      url: subgraphUrls[name],
      typeDefs: parse(sdl),
    })),
  );
  if (!composed.supergraphSdl) throw new Error(composed.errors?.map((e) => e.message).join('\n'));
  const path = join(directory, 'supergraph.graphql');
  writeFileSync(path, composed.supergraphSdl);
  const router = start([serverEntry], { ...productionEnv, SUPERGRAPH_PATH: path });
  routerUrl = await lineOf(router, (line) => {
    const entry = JSON.parse(line) as { msg?: string; url?: string };
    return entry.msg === 'router ready' ? entry.url : undefined;
  });
}, 240_000);

afterAll(async () => {
  await Promise.all(
    started.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      child.stdin.end();
      await exited;
    }),
  );
}, 60_000);

describe('a supergraph file of subgraphs that are not Flow’s (SUBGRAPH_URLS=supergraph)', () => {
  it('answers a query across both subgraphs, each called at its join__graph URL, one operation per request', async () => {
    // By name: the URLs were recorded in the order the processes became ready.
    const answered = async (name: keyof typeof TINY_SUBGRAPHS) =>
      (await (await fetch(new URL('/requests', subgraphUrls[name]))).json()) as string[];
    const before = { books: await answered('books'), ratings: await answered('ratings') };
    // Two entity fetches to ratings in one plan step: Flow's subgraphs would get them as a batch.
    const { status, body } = await post(routerUrl, '{ books { title stars } featured { id stars } }');
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    expect(body.data).toEqual({
      books: [
        { title: 'Oxygen at altitude', stars: 4 },
        { title: 'Cylinders and concentrators', stars: 5 },
      ],
      featured: { id: '2', stars: 5 },
    });
    // The operation budget ran (its estimate is reported).
    expect(typeof body.extensions?.cost).toBe('object');
    const booksAfter = await answered('books');
    const ratingsAfter = await answered('ratings');
    expect(booksAfter.slice(before.books.length)).toEqual(['root']);
    expect(ratingsAfter.slice(before.ratings.length)).toEqual(['entities', 'entities']);
  });

  it('keeps every check on: a bad token is refused, the budget refuses too many aliases', async () => {
    const token = await post(routerUrl, '{ featured { id } }', { authorization: 'Bearer not-a-token' });
    expect(token.status).toBe(401);
    expect(token.body.data).toBeUndefined();

    const aliases = await post(routerUrl, '{ a: featured { id } b: featured { id } c: featured { id } }');
    expect(aliases.status).toBe(400);
    expect(aliases.body.errors?.[0]?.extensions?.code).toBe('TOO_MANY_ALIASES');
  });
});

describe('a bad SUPERGRAPH_PATH stops the router at start, naming the variable', () => {
  const configError = (env: Record<string, string>) => {
    try {
      parseRouterConfig({ ...productionEnv, ...env });
    } catch (error) {
      return error instanceof InvalidEnvironmentError ? error.problems.join('\n') : error;
    }
    return 'accepted';
  };

  it('the process exits 1 for a missing file and for a schema that is not a supergraph', async () => {
    const [missing, plain] = await Promise.all([
      runToExit({ ...productionEnv, SUPERGRAPH_PATH: join(directory, 'absent.graphql') }),
      runToExit({
        ...productionEnv,
        SUPERGRAPH_PATH: write('plain.graphql', 'type Query { hello: String }'),
      }),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('router: invalid configuration');
    expect(missing.stderr).toMatch(/SUPERGRAPH_PATH: file not found: .*absent\.graphql/);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/SUPERGRAPH_PATH: .*plain\.graphql is not a composed supergraph/);
  }, 120_000);

  it('names the variable for text that is not GraphQL, a directory, and a join__graph URL it cannot call', () => {
    expect(configError({ SUPERGRAPH_PATH: write('garbage.graphql', 'this is { not graphql') })).toMatch(
      /^SUPERGRAPH_PATH: .*garbage\.graphql is not a GraphQL document \(Syntax Error/,
    );
    expect(configError({ SUPERGRAPH_PATH: directory })).toMatch(/^SUPERGRAPH_PATH: .* is not a file$/);
    const composed = composeServices([
      { name: 'books', url: 'file:///etc/passwd', typeDefs: parse(TINY_SUBGRAPHS.books) },
    ]);
    const path = write('file-url.graphql', composed.supergraphSdl!);
    expect(configError({ SUPERGRAPH_PATH: path })).toMatch(
      /^SUPERGRAPH_PATH: subgraph books's join__graph URL "file:\/\/\/etc\/passwd" is not an http\(s\) URL/,
    );
    // With Flow's catalog the file's URLs are not used: the same file is accepted.
    expect(configError({ SUPERGRAPH_PATH: path, SUBGRAPH_URLS: 'catalog' })).toBe('accepted');
  });
});

function write(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}
