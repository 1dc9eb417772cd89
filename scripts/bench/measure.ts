// What the benchmarks share: CPU time of a process, the router's metrics, percentiles, and a run
// that always tears its environment down (also on Ctrl-C) and exits 0, 1, or 130 if interrupted.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { PlatformTestEnvironment } from '../../test/environment';

export const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * The fields of /proc/<pid>/stat after the command name (which may hold spaces): ppid 1, utime 11,
 * stime 12, cutime 13, cstime 14 (clock ticks); undefined if it cannot be read.
 */
export function procStatFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime of a process, in milliseconds (clock-tick resolution); null if it cannot be read. */
export function processCpuMs(pid: number | null | undefined): number | null {
  const fields = pid ? procStatFields(pid) : undefined;
  if (!fields) return null;
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** The sum of a metric's series on the router's /metrics. */
export async function metric(env: PlatformTestEnvironment, name: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', env.routerUrl))).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Runs `main`, then `tearDown` (also on SIGINT/SIGTERM), then exits. */
export function runBenchmark(main: () => Promise<void>, tearDown: () => Promise<void>): void {
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      interrupted = true;
      console.error(`\n${signal}: stopping the environment`);
      void tearDown().finally(() => process.exit(130));
    });
  main()
    .then(
      () => 0,
      (error: unknown) => {
        // After an interrupt the run fails as the environment goes away underneath it: no news.
        if (!interrupted) console.error(error);
        return 1;
      },
    )
    .then(async (code) => {
      await tearDown();
      process.exit(interrupted ? 130 : code);
    });
}

/**
 * A benchmark is one user (one organization) driving the load of many: its rate limits and
 * connection caps are raised so that they measure the work, not the router's protections.
 */
export const BENCH_LIMITS: Record<string, string> = {
  RATE_LIMIT_USER_POINTS_PER_MINUTE: '100000000',
  RATE_LIMIT_ORGANIZATION_POINTS_PER_MINUTE: '100000000',
  RATE_LIMIT_ADDRESS_POINTS_PER_MINUTE: '100000000',
  RATE_LIMIT_ANONYMOUS_POINTS_PER_MINUTE: '100000000',
  MAX_SUBSCRIPTIONS_PER_SOCKET: '100000',
  MAX_SUBSCRIPTIONS_PER_USER: '1000000',
  MAX_SOCKETS_PER_USER: '100000',
  MAX_SSE_STREAMS_PER_USER: '100000',
  MAX_ANONYMOUS_SOCKETS_PER_ADDRESS: '100000',
};
