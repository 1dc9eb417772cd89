import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import {
  startSubgraphTestEnvironment,
  TEST_DATABASE_URL,
  type StartOptionsBase,
  type SubgraphTestEnvironment,
} from '../src';

// A stand-in for a subgraph's start function: it "migrates" (creates its schema and a table, as
// applyMigrations would), reports one statement through onQuery, and serves HTTP on a free port.
interface FakeConfig {
  databaseUrl: string;
  jwksUrl: string;
  flowEnv: string;
}

async function fakeStart(config: FakeConfig, _logger: unknown, options: StartOptionsBase = {}) {
  const schema = new URL(config.databaseUrl).searchParams.get('schema')!;
  await query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".things (id int)`);
  options.onQuery?.('SELECT 1');
  const server = http.createServer((_req, res) => res.end('{}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    url,
    stopped: false,
    async stop() {
      this.stopped = true;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const parseConfig = (env: Record<string, string>): FakeConfig => ({
  databaseUrl: env.DATABASE_URL!,
  jwksUrl: env.USERS_JWKS_URL!,
  flowEnv: env.FLOW_ENV!,
});

async function query<Row>(text: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as Row[];
  } finally {
    await client.end();
  }
}

const schemaExists = async (schema: string) =>
  (await query<{ n: number }>('SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1', [schema]))[0]!
    .n === 1;

const serves = (url: string) =>
  fetch(url).then(
    () => true,
    () => false,
  );

describe('startSubgraphTestEnvironment', () => {
  let t: SubgraphTestEnvironment<FakeConfig, Awaited<ReturnType<typeof fakeStart>>> | undefined;
  afterEach(() => t?.stop());

  it('starts the subgraph in a schema of its own, with tokens, statements and SQL on that schema', async () => {
    t = await startSubgraphTestEnvironment({
      name: 'kit',
      start: fakeStart,
      parseConfig,
      env: { FLOW_ENV: 'x' },
    });
    expect(t.schema).toMatch(/^kit_test_/);
    expect(t.config).toEqual({ databaseUrl: t.databaseUrl, jwksUrl: t.tokens.jwksUrl, flowEnv: 'x' });
    expect(t.statements).toEqual(['SELECT 1']);
    await t.sql('INSERT INTO things (id) VALUES ($1)', [7]);
    expect(await t.sql('SELECT id FROM things')).toEqual([{ id: 7 }]);
    const actor = await t.actor('VENDOR_ADMIN');
    expect(actor).toMatchObject({ organizationKind: 'VENDOR', role: 'VENDOR_ADMIN' });
    expect(actor.token.split('.')).toHaveLength(3);
  });

  it('stops the subgraph and the issuer and drops the schema', async () => {
    const env = await startSubgraphTestEnvironment({ name: 'kit', start: fakeStart, parseConfig });
    await env.stop();
    expect(env.app.stopped).toBe(true);
    expect(await serves(env.tokens.jwksUrl)).toBe(false);
    expect(await schemaExists(env.schema)).toBe(false);
  });

  it('closes everything and drops the schema even when a closer fails, then says what failed', async () => {
    const env = await startSubgraphTestEnvironment({ name: 'kit', start: fakeStart, parseConfig });
    const order: string[] = [];
    env.onStop(() => void order.push('second registered, first closed'));
    env.onStop(() => {
      throw new Error('a stand-in would not close');
    });
    await expect(env.stop()).rejects.toThrow('a stand-in would not close');
    expect(order).toEqual(['second registered, first closed']);
    expect(env.app.stopped).toBe(true);
    expect(await serves(env.tokens.jwksUrl)).toBe(false);
    expect(await schemaExists(env.schema)).toBe(false);
  });

  it('closes what it opened when the start fails after migrating', async () => {
    let schema = '';
    let jwksUrl = '';
    const failing = async (config: FakeConfig) => {
      schema = new URL(config.databaseUrl).searchParams.get('schema')!;
      jwksUrl = config.jwksUrl;
      await query(`CREATE SCHEMA "${schema}"`);
      throw new Error('the subgraph refused to start');
    };
    await expect(startSubgraphTestEnvironment({ name: 'kit', start: failing, parseConfig })).rejects.toThrow(
      'the subgraph refused to start',
    );
    expect(await schemaExists(schema)).toBe(false);
    expect(await serves(jwksUrl)).toBe(false);
  });

  it("leaves another environment's issuer running", async () => {
    const first = await startSubgraphTestEnvironment({ name: 'kit', start: fakeStart, parseConfig });
    try {
      const second = await startSubgraphTestEnvironment({
        name: 'kit',
        start: fakeStart,
        parseConfig,
        tokens: first.tokens,
      });
      expect(second.config.jwksUrl).toBe(first.tokens.jwksUrl);
      await second.stop();
      expect(await serves(first.tokens.jwksUrl)).toBe(true);
    } finally {
      await first.stop();
    }
  });
});
