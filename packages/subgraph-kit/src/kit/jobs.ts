import type { Logger } from '@flow/core';

/** Work a subgraph runs on a timer (recovery, expiry sweeps, clean-ups). */
export interface SubgraphJob {
  name: string;
  everyMs: number;
  run: () => Promise<unknown>;
}

export interface RunningJobs {
  /** Stops the timers and waits for the runs in progress. */
  stop(): Promise<void>;
}

/**
 * Runs each job every `everyMs`, one run of a job at a time (a slow run is not piled upon); a
 * failed run is logged and the job goes on. The timers never keep the process alive.
 */
export function startJobs(jobs: readonly SubgraphJob[], logger: Logger): RunningJobs {
  const running = new Set<Promise<void>>();
  const timers = jobs.map((job) => {
    let current: Promise<void> | null = null;
    const timer = setInterval(() => {
      if (current) return;
      current = job
        .run()
        .then(
          () => undefined,
          (error: unknown) => logger.warn({ err: error, job: job.name }, `${job.name} failed; will retry`),
        )
        .finally(() => {
          running.delete(current!);
          current = null;
        });
      running.add(current);
    }, job.everyMs);
    timer.unref();
    return timer;
  });
  return {
    stop: async () => {
      for (const timer of timers) clearInterval(timer);
      await Promise.all(running);
    },
  };
}
