// The report's tables, as the terminal shows them.
import type { SystemFigures } from './compare';
import type { GoalCheck } from './goals';

const fixed = (value: number | null | undefined, digits = 2) =>
  value === null || value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);

export function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  for (const row of rows)
    console.log(row.map((cell, i) => (i ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  '));
}

/** One row per system: throughput, latency, CPU per request of each process, peak RSS, calls. */
export function printFigures(title: string, figures: SystemFigures[]): void {
  console.log(`\n${title}`);
  const roles = [...new Set(figures.flatMap((f) => Object.keys(f.cpuMsPerRequest)))];
  printTable([
    [
      'system',
      'req/s',
      'p50 ms',
      'p99 ms',
      ...roles.map((r) => `CPU ms/req ${r}`),
      'CPU ms/req total',
      'peak RSS MB (gw)',
      'subgraph calls/req',
      'errors',
    ],
    ...figures.map((f) => {
      const cpu = roles.map((r) => f.cpuMsPerRequest[r]);
      const total = cpu.reduce<number>((sum, v) => sum + (v ?? 0), 0);
      const firstRole = roles[0]!;
      return [
        f.system,
        fixed(f.requestsPerSecond, 0),
        fixed(f.p50Ms),
        fixed(f.p99Ms),
        ...cpu.map((v) => fixed(v, 3)),
        fixed(total, 3),
        fixed(f.peakRssMb[firstRole], 0),
        fixed(f.subgraphCallsPerRequest, 1),
        String(f.errors + f.non2xx),
      ];
    }),
  ]);
}

/** Issue 15's goals as this run measured them (goals.ts). */
export function printGoals(goals: GoalCheck[]): void {
  console.log('\nGoals (issue 15), this run');
  const verdict = (met: boolean | null) => (met === null ? 'not measured' : met ? 'met' : 'NOT MET');
  for (const g of goals)
    console.log(`  ${verdict(g.met).padEnd(12)} ${g.goal}: ${g.measured} (goal: ${g.target})`);
}
