// The platform as production runs it (FLOW_ENV=production: no introspection, no suggestions,
// masked errors, configured secrets and keys), for the hostile test and benchmark.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
export { processCpuMs } from '../../scripts/bench/measure';
import { createSigningKey } from '@flow/users';
import { createTestEnvironment, type PlatformTestEnvironment } from '../environment';
import { registerOrganization, type Actor } from '../support/actors';

/**
 * Limits of the per-operation rate limiter (router/src/usage, RATE_LIMIT_*) at their maxima: the
 * corpus measures the operation budget, not the throttle. The sign-in throttle stays low so the
 * throttle entries can reach it from addresses of their own.
 */
export const GENEROUS_RATE_LIMITS: Record<string, string> = {
  RATE_LIMIT_USER_POINTS_PER_MINUTE: '100000000',
  RATE_LIMIT_ORGANIZATION_POINTS_PER_MINUTE: '100000000',
  RATE_LIMIT_ADDRESS_POINTS_PER_MINUTE: '100000000',
  RATE_LIMIT_ANONYMOUS_POINTS_PER_MINUTE: '100000000',
  MAX_ANONYMOUS_SOCKETS_PER_ADDRESS: '100000',
  MAX_SOCKETS_PER_USER: '100000',
  MAX_SSE_STREAMS_PER_USER: '100000',
};
export const SIGN_IN_LIMIT_PER_MINUTE = 3;

export async function productionVariables(): Promise<Record<string, string>> {
  const key = await createSigningKey(new Date(Date.now() - 60_000));
  return {
    FLOW_ENV: 'production',
    INTERNAL_SIGNING_SECRET: randomBytes(32).toString('base64url'),
    JWT_SIGNING_KEYS: JSON.stringify({ keys: [key] }),
    FLOW_ADMIN_EMAIL: 'hostile.admin@example.org',
    FLOW_ADMIN_PASSWORD: randomBytes(18).toString('base64url'),
    LOGIN_RATE_LIMIT_PER_MINUTE: String(SIGN_IN_LIMIT_PER_MINUTE),
    LOG_LEVEL: 'error',
  };
}

export interface ProductionPlatform {
  env: PlatformTestEnvironment;
  /** An organization admin (a hospital), signed in. */
  user: Actor;
  /** Every process of the platform, by name. */
  pids: Record<string, number>;
}

export async function startProductionPlatform(
  extraEnv: Record<string, string> = {},
): Promise<ProductionPlatform> {
  const env = await createTestEnvironment({
    ...(await productionVariables()),
    ...GENEROUS_RATE_LIMITS,
    ...extraEnv,
  });
  try {
    const user = await registerOrganization(env.gql, 'HOSPITAL', 'Hostile Hospital');
    const pids: Record<string, number> = { router: env.router.child.pid! };
    for (const [name, subgraph] of Object.entries(env.subgraphs)) pids[name] = subgraph.process.child.pid!;
    return { env, user, pids };
  } catch (error) {
    await env.stop();
    throw error;
  }
}

/** CPU time of a process's main thread (its event loop) in ms, nanosecond resolution. */
export function mainThreadCpuMs(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}

/** The sum of a metric's series in a Prometheus text exposition. */
export function metricSum(text: string, name: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

export async function scrape(url: string): Promise<string> {
  return (await fetch(new URL('/metrics', url), { signal: AbortSignal.timeout(10_000) })).text();
}
