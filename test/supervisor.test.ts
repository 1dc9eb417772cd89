// The supervisor of `npm start` (issue 11, item 7), run as a developer runs it: `npm start` in a
// process group of its own. A subgraph killed under load comes back while the router keeps
// answering; repeated crashes end in one message; SIGTERM to npm, or kill -9 of the supervisor,
// leave no process behind; a busy port is named before anything starts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { dropSchema, subgraphDatabaseUrlVariable } from '@flow/subgraph-kit';
import { subgraphCatalog } from '@flow/core';
import { embeddedClusterDir } from '@flow/dev-tools';
import {
  createGraphQLClient,
  databaseUrlForSchema,
  TEST_DATABASE_URL,
  uniqueSchemaName,
  type GraphQLResponse,
} from '@flow/testing';
import { isPortFree } from '../scripts/lib/processes';
import { freePort } from './environment';
import { registerOrganization } from './support/actors';
import { startPlatform, untilGone, type StartedPlatform } from './support/platform-process';

/** Each subgraph in a schema of its own on the test database: no embedded server to wait for. */
function ownSchemas() {
  const prefix = uniqueSchemaName('sup');
  const urls = Object.fromEntries(
    subgraphCatalog.map(({ name }) => [
      subgraphDatabaseUrlVariable(name),
      databaseUrlForSchema(`${prefix}_${name}`),
    ]),
  );
  return {
    env: { DATABASE_URL: TEST_DATABASE_URL, ...urls },
    drop: () =>
      Promise.all(subgraphCatalog.map(({ name }) => dropSchema(TEST_DATABASE_URL, `${prefix}_${name}`))),
  };
}

async function expectAllGone(platform: StartedPlatform) {
  expect(platform.seen.size).toBeGreaterThanOrEqual(subgraphCatalog.length + 2);
  expect(await untilGone([platform.npm.pid!, ...platform.seen.keys()])).toEqual([]);
  for (const port of [platform.routerPort, ...Object.values(platform.ports)]) {
    expect(await isPortFree(port)).toBe(true);
  }
}

describe('a subgraph that crashes', () => {
  const schemas = ownSchemas();
  let platform: StartedPlatform;
  beforeAll(async () => {
    platform = await startPlatform({ ...schemas.env, RESTART_LIMIT: '2' });
    await platform.waitForOutput('Flow is running');
  }, 180_000);
  afterAll(async () => {
    platform?.cleanup();
    await schemas.drop();
  });

  interface Answer {
    me: { name: string } | null;
    priceList: { edges: unknown[] } | null;
  }
  const QUERY = '{ me { name } priceList(first: 1) { edges { node { __typename } } } }';

  it('is restarted while the router keeps answering with the other subgraphs’ data', async () => {
    const gql = createGraphQLClient(`http://127.0.0.1:${platform.routerPort}/graphql`);
    const hospital = await registerOrganization(gql, 'HOSPITAL');
    const ask = () => gql<Answer>({ query: QUERY, token: hospital.token });
    const healthy = await ask();
    expect(healthy.errors).toBeUndefined();

    // Load: two clients asking in a loop, from before the crash until pricing answers again.
    const answers: { at: number; answer: GraphQLResponse<Answer> | Error }[] = [];
    let loading = true;
    const client = async () => {
      while (loading) answers.push({ at: Date.now(), answer: await ask().catch((e: Error) => e) });
    };
    const clients = [client(), client()];

    const pricing = platform.pidOf('subgraphs/pricing/');
    const killedAt = Date.now();
    process.kill(pricing, 'SIGKILL');
    const after = () => answers.filter((a) => a.at > killedAt).map((a) => a.answer);
    const partial = (a: GraphQLResponse<Answer> | Error) =>
      !(a instanceof Error) &&
      a.data?.priceList === null &&
      a.errors?.some((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE');
    const whole = (a: GraphQLResponse<Answer> | Error) =>
      !(a instanceof Error) && !a.errors && a.data?.priceList !== null;
    try {
      const deadline = Date.now() + 150_000;
      const back = () => {
        const seen = after();
        return seen.some(partial) && seen.length > 0 && whole(seen[seen.length - 1]!);
      };
      while (!back()) {
        if (Date.now() > deadline) throw new Error(`pricing did not come back:\n${platform.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      loading = false;
      await Promise.all(clients);
    }

    // Every answer meanwhile came from the router, with the users subgraph's field intact.
    const meanwhile = after();
    const lastPartial = answers.filter((a) => a.at > killedAt && partial(a.answer)).at(-1)!.at;
    console.log(
      `pricing killed: ${meanwhile.length} answers until it was back, ${meanwhile.filter(partial).length} partial, the last partial ${lastPartial - killedAt} ms after the kill`,
    );
    expect(meanwhile.filter((a) => a instanceof Error)).toEqual([]);
    expect(meanwhile.every((a) => (a as GraphQLResponse<Answer>).data?.me?.name)).toBe(true);
    expect(meanwhile.some(partial)).toBe(true);
    expect(platform.pidOf('subgraphs/pricing/')).not.toBe(pricing);
    expect(platform.output()).toContain('pricing exited unexpectedly (signal SIGKILL); restarting it in 1 s');
    expect(platform.output()).toContain('pricing is back.');
  }, 240_000);

  it('is given up on after RESTART_LIMIT crashes, with one message, and everything stops', async () => {
    process.kill(platform.pidOf('subgraphs/pricing/'), 'SIGKILL');
    expect(await platform.exited).not.toBe(0);
    const message = platform.output().match(/.*giving up.*/g) ?? [];
    expect(message).toEqual([
      'pricing crashed 2 times within 10 min (last: signal SIGKILL); giving up and stopping everything.',
    ]);
    await expectAllGone(platform);
  }, 120_000);
});

describe('SIGTERM to npm start', () => {
  const schemas = ownSchemas();
  let platform: StartedPlatform;
  afterAll(async () => {
    platform?.cleanup();
    await schemas.drop();
  });

  it('stops every process', async () => {
    platform = await startPlatform(schemas.env);
    await platform.waitForOutput('Flow is running');
    platform.npm.kill('SIGTERM');
    await platform.exited;
    await expectAllGone(platform);
  }, 240_000);
});

describe('kill -9 of the supervisor', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flow-supervisor-'));
  let platform: StartedPlatform;
  afterAll(() => {
    platform?.cleanup();
    rmSync(embeddedClusterDir(join(dataDir, 'postgres')), { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves no process behind, the embedded PostgreSQL included', async () => {
    platform = await startPlatform({
      FLOW_DATA_DIR: dataDir,
      DATABASE_URL: undefined,
      ...Object.fromEntries(
        subgraphCatalog.map(({ name }) => [subgraphDatabaseUrlVariable(name), undefined]),
      ),
    });
    await platform.waitForOutput('Flow is running');
    const postgres = platform.pidOf('postgres -D');
    const { port: postgresPort } = JSON.parse(
      readFileSync(join(dataDir, 'postgres', 'embedded.json'), 'utf8'),
    ) as { port: number };

    process.kill(platform.pidOf('scripts/dist/start.js'), 'SIGKILL');
    await expectAllGone(platform);
    expect(platform.seen.has(postgres)).toBe(true);
    expect(await isPortFree(postgresPort)).toBe(true);
  }, 240_000);
});

describe('a port in use', () => {
  let busy: Server | undefined;
  afterAll(() => busy?.close());

  it('is named in one line, and nothing starts', async () => {
    const port = await freePort();
    busy = createServer();
    await new Promise<void>((resolve) => busy!.listen(port, '127.0.0.1', resolve));
    const supervisor = spawn(
      process.execPath,
      ['--conditions=flow-source', '--import', 'tsx', join(__dirname, '..', 'scripts', 'start.ts')],
      { env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL, PRICING_PORT: String(port) } },
    );
    let output = '';
    supervisor.stdout.on('data', (chunk) => (output += chunk));
    supervisor.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => supervisor.on('exit', resolve));
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toContain(
      `PRICING_PORT=${port} is already in use (set PRICING_PORT to a free port)`,
    );
    expect(output).not.toContain('watchdog');
  });
});
