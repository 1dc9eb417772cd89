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

/** `/health/live`: the process runs. `/health/ready`: it can serve (its database, broker, subgraphs...). */
export function mountHealth(
  app: Express,
  checks: Record<string, ReadinessCheck>,
  state: HealthState,
  timeoutMs = 2000,
) {
  app.get('/health/live', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });
  app.get('/health/ready', async (_req: Request, res: Response) => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => runCheck(checks[name]!, timeoutMs)));
    const report = Object.fromEntries(names.map((name, i) => [name, results[i]]));
    const ready = state.accepting && results.every((r) => r.ok);
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : state.accepting ? 'unavailable' : 'shutting_down', checks: report });
  });
}
