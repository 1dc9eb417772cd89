// Stopping when the database and the broker are gone (issue 11, item 7): pricing and notifications
// whose Postgres and RabbitMQ hang (a frozen proxy: connections open, nothing answers) still stop
// by themselves on SIGTERM with exit code 0: every shutdown step is bounded, so neither the
// process's own deadline nor the supervisor's SIGKILL is needed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, subgraphDatabaseUrlVariable } from '@flow/subgraph-kit';
import { databaseUrlForSchema, TEST_DATABASE_URL, uniqueSchemaName } from '@flow/testing';
import { startProcess, stopProcess, waitUntilReady, type ManagedProcess } from '../scripts/lib/processes';
import { freePort } from './environment';
import { brokerForTest } from './support/broker';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy';

const SUBGRAPHS = ['pricing', 'notifications'];
/** The supervisor's SIGKILL comes this long after its SIGTERM (scripts/start.ts). */
const SUPERVISOR_GRACE_MS = 15_000;

const prefix = uniqueSchemaName('unreach');
const broker = brokerForTest('unreachable');
const dataDir = mkdtempSync(join(tmpdir(), 'flow-unreachable-'));
const running: { name: string; process: ManagedProcess; port: number }[] = [];
let database: TcpProxy;
let amqp: TcpProxy;

beforeAll(async () => {
  const postgres = new URL(TEST_DATABASE_URL);
  database = await startTcpProxy(Number(postgres.port || 5432), postgres.hostname);
  const brokerUrl = new URL(broker.env.AMQP_URL!);
  amqp = await startTcpProxy(Number(brokerUrl.port || 5672), brokerUrl.hostname);
  brokerUrl.port = String(amqp.port);
  for (const name of SUBGRAPHS) {
    const url = new URL(databaseUrlForSchema(`${prefix}_${name}`));
    url.port = String(database.port);
    const port = await freePort();
    const child = startProcess(
      name,
      join(__dirname, '..', 'subgraphs', name, 'src', 'server.ts'),
      {
        ...process.env,
        ...broker.env,
        AMQP_URL: brokerUrl.toString(),
        APOLLO_TELEMETRY_DISABLED: '1',
        FLOW_ENV: 'test',
        LOG_LEVEL: 'warn',
        FLOW_DATA_DIR: dataDir,
        PORT: String(port),
        [subgraphDatabaseUrlVariable(name)]: url.toString(),
      },
      !process.env.E2E_VERBOSE,
    );
    running.push({ name, process: child, port });
    await waitUntilReady(child, `http://127.0.0.1:${port}/health/ready`);
  }
}, 180_000);

afterAll(async () => {
  await Promise.all(running.map(({ process }) => stopProcess(process, 1000)));
  await database?.close();
  await amqp?.close();
  for (const name of SUBGRAPHS) await dropSchema(TEST_DATABASE_URL, `${prefix}_${name}`);
  await broker.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

it('pricing and notifications stop by themselves on SIGTERM while their database and broker hang', async () => {
  database.freeze();
  amqp.freeze();
  // A request that waits on the hung database is in flight when the signal comes.
  const inFlight = running.map(({ port }) =>
    fetch(`http://127.0.0.1:${port}/health/ready`).catch((error: unknown) => error),
  );
  await new Promise((r) => setTimeout(r, 500));
  const took: Record<string, number> = {};
  await Promise.all(
    running.map(async ({ name, process }) => {
      const started = Date.now();
      // The supervisor's stop: SIGTERM, SIGKILL to the group after its grace period.
      await stopProcess(process, SUPERVISOR_GRACE_MS);
      took[name] = Date.now() - started;
    }),
  );
  await Promise.all(inFlight);
  for (const { name, process } of running) {
    // Ended by its own orderly exit: not by the SIGKILL, nor by its shutdown deadline (code 1).
    expect({ name, code: process.child.exitCode, signal: process.child.signalCode }).toEqual({
      name,
      code: 0,
      signal: null,
    });
  }
  console.log(`stopped with a hung database and broker after ${JSON.stringify(took)} ms`);
}, 60_000);
