// Issue 15's goals, judged from one run's figures: each with what was measured, the target and
// whether it is met. Ratios come from systems measured side by side in the same run, except the
// operations', which compare with the figures the issue recorded for main at 9ab520e (that code
// cannot run beside this one: its schemas and seed differ).
import type { SystemFigures } from './compare';
import type { FederationResult } from './federation';
import type { OperationsResult } from './operations';
import type { OverheadResult } from './overhead';

export interface GoalCheck {
  goal: string;
  measured: string;
  target: string;
  /** null: this run did not measure it (the scenario was left out, or Hive Gateway did not run). */
  met: boolean | null;
}

/** Issue 15's measurements of main at 9ab520e: requests/s and CPU ms per request across processes. */
export const ISSUE_START = {
  'order detail': { requestsPerSecond: 40, cpuMsPerRequest: 35 },
  compareOffers: { requestsPerSecond: 22, cpuMsPerRequest: 65 },
} as const;

export const SUBGRAPH_RSS_LIMIT_MB = 150;
export const OVERHEAD_LIMIT_MS = 1;

export interface GoalInputs {
  federation?: FederationResult;
  operations?: OperationsResult;
  overhead?: OverheadResult;
  /** Peak RSS (VmHWM) of each of Flow's subgraphs at the end of the run, MB. */
  subgraphPeakRssMb?: Record<string, number>;
}

const totalCpu = (figures: SystemFigures) =>
  Object.values(figures.cpuMsPerRequest).reduce((sum, ms) => sum + ms, 0);
const x = (value: number) => `${value.toFixed(2)}x`;

export function judgeGoals({ federation, operations, overhead, subgraphPeakRssMb }: GoalInputs): GoalCheck[] {
  const checks: GoalCheck[] = [];
  const system = (name: string) => federation?.figures.find((f) => f.system === name);
  const flow = system('flow-router');
  const apollo = system('apollo-gateway');
  const hive = system('hive-gateway');
  const unmeasured = (goal: string, target: string, why: string): GoalCheck => ({
    goal,
    measured: why,
    target,
    met: null,
  });

  if (flow && apollo) {
    const ratio = flow.cpuMsPerRequest.gateway! / apollo.cpuMsPerRequest.gateway!;
    checks.push({
      goal: 'federation: router CPU per request against stock Apollo Gateway',
      measured: `${x(ratio)} (${flow.cpuMsPerRequest.gateway!.toFixed(2)} against ${apollo.cpuMsPerRequest.gateway!.toFixed(2)} ms)`,
      target: 'at most 0.50x',
      met: ratio <= 0.5,
    });
    const answers = federation!.verification['flow-router'];
    checks.push({
      goal: "federation: the router's answers against the stock gateway's",
      measured: answers
        ? `${answers.byteIdenticalBesideExtensions}/${answers.checked} byte-identical beside the router's extensions (${(answers.extensions ?? []).join(', ') || 'none'}), ${answers.mismatches} differing`
        : 'not checked',
      target: 'all byte-identical',
      met: answers ? answers.checked > 0 && answers.byteIdenticalBesideExtensions === answers.checked : false,
    });
    checks.push({
      goal: "federation: router peak RSS against stock Apollo Gateway's",
      measured: `${x(flow.peakRssMb.gateway! / apollo.peakRssMb.gateway!)} (${flow.peakRssMb.gateway!.toFixed(0)} against ${apollo.peakRssMb.gateway!.toFixed(0)} MB)`,
      target: 'at most 1.00x',
      met: flow.peakRssMb.gateway! <= apollo.peakRssMb.gateway!,
    });
  } else if (!federation) {
    checks.push(unmeasured('federation', 'the Guild shape', 'scenario not run'));
  }
  if (flow && hive) {
    checks.push({
      goal: "federation: router CPU per request against Hive Gateway's",
      measured: `${x(flow.cpuMsPerRequest.gateway! / hive.cpuMsPerRequest.gateway!)} (${flow.cpuMsPerRequest.gateway!.toFixed(2)} against ${hive.cpuMsPerRequest.gateway!.toFixed(2)} ms)`,
      target: 'below 1.00x',
      met: flow.cpuMsPerRequest.gateway! < hive.cpuMsPerRequest.gateway!,
    });
    const [ours, theirs] = [flow.subgraphCallsPerRequest, hive.subgraphCallsPerRequest];
    checks.push({
      goal: "federation: subgraph calls per request against Hive Gateway's",
      measured: `${ours ?? '-'} against ${theirs ?? '-'}`,
      target: "no more than Hive's",
      met: ours !== null && theirs !== null ? ours <= theirs : null,
    });
  } else if (flow) {
    const why =
      federation?.hive.ran === false
        ? `Hive Gateway did not run: ${federation.hive.reason}`
        : 'no Hive figures';
    checks.push(unmeasured("federation: against Hive Gateway's CPU and subgraph calls", "below Hive's", why));
  }

  if (!overhead)
    checks.push(unmeasured('router overhead', `at most ${OVERHEAD_LIMIT_MS} ms`, 'scenario not run'));
  else {
    checks.push({
      goal: 'router overhead on a one-subgraph query, concurrency 1, p50',
      measured: `${overhead.p50DifferenceMs.toFixed(2)} ms`,
      target: `at most ${OVERHEAD_LIMIT_MS} ms`,
      met: overhead.p50DifferenceMs <= OVERHEAD_LIMIT_MS,
    });
  }

  if (!operations) {
    checks.push(
      unmeasured('order detail, compareOffers, SQL statements', 'as issue 15 sets them', 'scenario not run'),
    );
  } else {
    for (const [name, start] of Object.entries(ISSUE_START)) {
      const figures = operations.load.find((f) => f.system.startsWith(name));
      if (!figures) continue;
      const speed = figures.requestsPerSecond / start.requestsPerSecond;
      const cpu = totalCpu(figures) / start.cpuMsPerRequest;
      checks.push({
        goal: `${figures.system}: requests/s and CPU per request (all processes) against issue 15's start`,
        measured: `${x(speed)} requests/s (${figures.requestsPerSecond.toFixed(0)} against ${start.requestsPerSecond}), ${x(cpu)} CPU (${totalCpu(figures).toFixed(1)} against ${start.cpuMsPerRequest} ms)`,
        target: 'at least 3.00x requests/s, at most 0.33x CPU',
        met: speed >= 3 && cpu <= 1 / 3,
      });
    }
    for (const counts of operations.statementCounts) {
      checks.push({
        goal: `${counts.operation}: SQL statements per request as the list grows`,
        measured: Object.entries(counts.bySize)
          .map(([size, statements]) => `${size}: ${statements}`)
          .join(', '),
        target: 'the same at every size',
        met: counts.flat,
      });
    }
  }

  if (subgraphPeakRssMb && Object.keys(subgraphPeakRssMb).length) {
    const [largest, mb] = Object.entries(subgraphPeakRssMb).sort((a, b) => b[1] - a[1])[0]!;
    checks.push({
      goal: "every subgraph's peak RSS over the run",
      measured: `largest ${largest} ${mb.toFixed(0)} MB`,
      target: `under ${SUBGRAPH_RSS_LIMIT_MB} MB`,
      met: mb < SUBGRAPH_RSS_LIMIT_MB,
    });
  }
  return checks;
}
