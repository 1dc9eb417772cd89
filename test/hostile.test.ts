// The hostile corpus (test/hostile/corpus.json, `npm run hostile:corpus`) against a production-mode
// router with every subgraph as a real process. Shows for every entry: no 5xx, no crash, a
// documented code on each refusal, no subgraph call for a refused document (from the metrics), and
// prints the router CPU time of the most expensive refusals. test/hostile/README.md explains it.
//
// HOSTILE_ONLY / HOSTILE_SKIP (regular expressions on entry ids) narrow a local run;
// HOSTILE_TIMEOUT_MS bounds one request (default 10 s).
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { send, type Observation } from './hostile/client';
import { CORPUS_PATH, loadCorpus, type CorpusEntry } from './hostile/corpus';
import { describe as describeObservation, judge } from './hostile/judge';
import {
  mainThreadCpuMs,
  metricSum,
  processCpuMs,
  scrape,
  SIGN_IN_LIMIT_PER_MINUTE,
  startProductionPlatform,
  type ProductionPlatform,
} from './hostile/production';

const TIMEOUT_MS = Number(process.env.HOSTILE_TIMEOUT_MS ?? 10_000);
const CONCURRENCY = 4;
const only = process.env.HOSTILE_ONLY ? new RegExp(process.env.HOSTILE_ONLY) : null;
const skip = process.env.HOSTILE_SKIP ? new RegExp(process.env.HOSTILE_SKIP) : null;
const corpus = loadCorpus().entries.filter((e) => (!only || only.test(e.id)) && !(skip && skip.test(e.id)));
const refusedEntries = corpus.filter((e) => e.expect.outcome === 'refused');
const otherEntries = corpus.filter((e) => e.expect.outcome === 'accepted' || e.expect.outcome === 'answered');
const throttleEntries = corpus.filter((e) => e.expect.outcome === 'throttled');

const SUBGRAPH_CALLS = 'flow_router_subgraph_request_duration_seconds_count';

interface Problem {
  id: string;
  problem: string;
}

function report(title: string, problems: Problem[]) {
  if (problems.length === 0) return;
  // Every problem, for whoever fixes them (the console shows four per category).
  if (process.env.HOSTILE_REPORT)
    appendFileSync(
      process.env.HOSTILE_REPORT,
      problems.map((p) => `${title}\t${p.id}\t${p.problem}\n`).join(''),
    );
  const byCategory = new Map<string, Problem[]>();
  for (const p of problems) {
    const category = p.id.split('/')[0]!;
    byCategory.set(category, [...(byCategory.get(category) ?? []), p]);
  }
  const lines = [...byCategory].map(
    ([category, list]) =>
      `  ${category}: ${list.length}\n${list
        .slice(0, 4)
        .map((p) => `    ${p.id}: ${p.problem.slice(0, 300)}`)
        .join('\n')}`,
  );
  console.log(`${title}: ${problems.length}\n${lines.join('\n')}`);
}

/** After a request that got no answer: waits until the router answers again, so one stall is one failure. */
async function recover(routerUrl: string) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(new URL('/health/live', routerUrl), {
        signal: AbortSignal.timeout(2_000),
      });
      if (response.ok) return;
    } catch {
      // still busy
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

describe('the hostile corpus against a production router', () => {
  let platform: ProductionPlatform;

  beforeAll(async () => {
    platform = await startProductionPlatform();
  }, 240_000);

  afterAll(async () => {
    await platform?.env.stop();
  }, 60_000);

  const options = (entry: CorpusEntry) => ({
    routerUrl: platform.env.routerUrl,
    token: entry.auth ? platform.user.token : undefined,
    timeoutMs: TIMEOUT_MS,
  });

  it('has at least 2,000 entries over every transport, exactly as its generator writes them', () => {
    const all = loadCorpus().entries;
    expect(all.length).toBeGreaterThanOrEqual(2000);
    expect(new Set(all.map((e) => e.transport))).toEqual(
      new Set(['post', 'get', 'sse-post', 'sse-get', 'ws']),
    );
    const fresh = join(mkdtempSync(join(tmpdir(), 'flow-corpus-')), 'corpus.json');
    try {
      execFileSync(process.execPath, [
        '--conditions=flow-source',
        '--import',
        'tsx',
        join(__dirname, '../scripts/hostile/generate-corpus.ts'),
        fresh,
      ]);
      expect(readFileSync(fresh, 'utf8') === readFileSync(CORPUS_PATH, 'utf8')).toBe(true);
    } finally {
      rmSync(dirname(fresh), { recursive: true, force: true });
    }
  });

  it(`refuses ${refusedEntries.length} hostile requests with a documented 4xx code, without calling a subgraph`, async () => {
    const problems: Problem[] = [];
    const costs: { id: string; processMs: number; loopMs: number; ms: number }[] = [];
    const subgraphOperations = async () => {
      let total = 0;
      for (const { url } of Object.values(platform.env.subgraphs))
        total += metricSum(await scrape(url), 'flow_graphql_operations_total');
      return total;
    };
    const operationsBefore = await subgraphOperations();
    const routerPid = platform.pids.router!;
    const subgraphCalls = async () => {
      for (;;) {
        try {
          return metricSum(await scrape(platform.env.routerUrl), SUBGRAPH_CALLS);
        } catch {
          await recover(platform.env.routerUrl);
        }
      }
    };
    let calls = await subgraphCalls();
    // One at a time: the router CPU between the two readings is this request's.
    for (const entry of refusedEntries) {
      const processBefore = processCpuMs(routerPid) ?? NaN;
      const loopBefore = mainThreadCpuMs(routerPid);
      let observation: Observation;
      try {
        observation = await send(entry, options(entry));
      } catch (error) {
        problems.push({ id: entry.id, problem: `client error: ${String(error)}` });
        continue;
      }
      costs.push({
        id: entry.id,
        processMs: (processCpuMs(routerPid) ?? NaN) - processBefore,
        loopMs: mainThreadCpuMs(routerPid) - loopBefore,
        ms: observation.ms,
      });
      const problem = judge(entry, observation);
      if (problem) problems.push({ id: entry.id, problem });
      if (observation.failure) await recover(platform.env.routerUrl);
      const after = await subgraphCalls();
      if (after !== calls) problems.push({ id: entry.id, problem: `${after - calls} subgraph calls` });
      calls = after;
    }
    const operationsAfter = await subgraphOperations();

    const top = [...costs].sort((a, b) => b.loopMs - a.loopMs || b.processMs - a.processMs).slice(0, 5);
    console.log(
      `router CPU on one refused document (target under 50 ms), top 5 of ${costs.length}:\n${top
        .map(
          (c) =>
            `  ${c.loopMs.toFixed(1).padStart(8)} ms event loop  ${c.processMs.toFixed(0).padStart(6)} ms process  ${c.ms.toFixed(0).padStart(6)} ms answer  ${c.id}`,
        )
        .join('\n')}`,
    );
    report('refused entries with problems', problems);
    expect(problems.map((p) => `${p.id}: ${p.problem}`)).toEqual([]);
    expect(operationsAfter - operationsBefore).toBe(0);
  }, 360_000);

  it(`answers ${otherEntries.length} ordinary and borderline requests without a server error`, async () => {
    const problems: Problem[] = [];
    await pool(otherEntries, CONCURRENCY, async (entry) => {
      const observation = await send(entry, options(entry));
      const problem = judge(entry, observation);
      if (problem) problems.push({ id: entry.id, problem });
      if (observation.failure) await recover(platform.env.routerUrl);
    });
    report('accepted/answered entries with problems', problems);
    expect(problems.map((p) => `${p.id}: ${p.problem}`)).toEqual([]);
  }, 240_000);

  it('throttles sign-in on every transport: RATE_LIMITED, and Retry-After over HTTP', async () => {
    const problems: Problem[] = [];
    let address = 20;
    for (const entry of throttleEntries) {
      // Each entry is its own client: a loopback address of its own.
      const localAddress = `127.0.0.${address++}`;
      let last: Observation | undefined;
      for (let i = 0; i < (entry.repeat ?? SIGN_IN_LIMIT_PER_MINUTE + 1); i++)
        last = await send(entry, { ...options(entry), localAddress });
      const problem = judge(entry, last!);
      if (problem) problems.push({ id: entry.id, problem: `${problem} (${describeObservation(last!)})` });
    }
    report('throttle entries with problems', problems);
    expect(problems.map((p) => `${p.id}: ${p.problem}`)).toEqual([]);
  }, 120_000);

  it('leaves every process alive and the router live', async () => {
    const processes = [platform.env.router, ...Object.values(platform.env.subgraphs).map((s) => s.process)];
    for (const { name, child } of processes) {
      expect({ name, exitCode: child.exitCode, signal: child.signalCode }).toEqual({
        name,
        exitCode: null,
        signal: null,
      });
    }
    const live = await fetch(new URL('/health/live', platform.env.routerUrl));
    expect(live.status).toBe(200);
    for (const { url } of Object.values(platform.env.subgraphs))
      expect((await fetch(new URL('/health/live', url))).status).toBe(200);
  });
});
