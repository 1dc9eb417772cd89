import type { Express, Request, Response } from 'express';

export type ReadinessCheck = () => Promise<unknown>;

export interface HealthState {
  /** Cleared when shutdown begins, so load balancers stop sending new work first. */
  accepting: boolean;
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/health/live`: the process runs. `/health/ready`: it can serve (its database, subgraphs...).
 * `degradable` checks are reported but do not make the process unready: a lost cache or rate-limit
 * store must not take a router out of the load balancer while orders can still be served.
 */
export function mountHealth(
  app: Express,
  checks: Record<string, ReadinessCheck>,
  state: HealthState,
  options: { timeoutMs?: number; degradable?: Record<string, ReadinessCheck> } = {},
) {
  const timeoutMs = options.timeoutMs ?? 2000;
  const degradable = options.degradable ?? {};
  app.get('/health/live', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });
  app.get('/health/ready', async (_req: Request, res: Response) => {
    const run = (all: Record<string, ReadinessCheck>) =>
      Promise.all(
        Object.entries(all).map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const),
      );
    const [required, optional] = await Promise.all([run(checks), run(degradable)]);
    const ready = state.accepting && required.every(([, r]) => r.ok);
    const degraded = optional.some(([, r]) => !r.ok);
    const status = !state.accepting
      ? 'shutting_down'
      : !ready
        ? 'unavailable'
        : degraded
          ? 'degraded'
          : 'ready';
    const report = Object.fromEntries([
      ...required,
      ...optional.map(([name, result]) => [name, { ...result, critical: false }] as const),
    ]);
    res.status(ready ? 200 : 503).json({ status, checks: report });
  });
}
