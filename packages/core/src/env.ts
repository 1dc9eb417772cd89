import { z } from 'zod';
import { resolveRenamedVariables } from './env-renames';

export { z };

/** Whether this process runs in production mode (stricter defaults, refuses unsigned subgraph calls). */
export const flowEnvSchema = z.enum(['development', 'test', 'production']).default('development');

export const logLevelSchema = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info');

/** An environment variable that holds a port number. */
export const portSchema = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** "true"/"1"/"yes" and "false"/"0"/"no"; anything else is invalid (not silently false). */
export const booleanSchema = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((value) => (value === undefined ? fallback : ['true', '1', 'yes'].includes(value)));

export class InvalidEnvironmentError extends Error {
  constructor(
    readonly processName: string,
    readonly problems: string[],
  ) {
    super(`${processName}: invalid configuration\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidEnvironmentError';
  }
}

/**
 * Parses the environment once, at start-up. Every invalid or missing variable is named in one
 * message, so an operator fixes them all in one go rather than one restart at a time.
 */
export function parseEnvironment<Shape extends z.ZodRawShape>(
  processName: string,
  shape: Shape,
  source: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<Shape>> {
  // Empty strings count as unset, so `FOO=` falls back to the default instead of failing oddly.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const renamed = resolveRenamedVariables(new Set(Object.keys(shape)), cleaned);
  const result = z.object(shape).safeParse(renamed.source);
  if (result.success && renamed.problems.length === 0) return result.data as z.infer<z.ZodObject<Shape>>;
  const problems = (result.error?.issues ?? []).map((issue) => {
    const name = issue.path.length ? renamed.label(issue.path.join('.')) : '(environment)';
    return `${name}: ${issue.message}`;
  });
  throw new InvalidEnvironmentError(processName, [...renamed.problems, ...problems]);
}

/** Like parseEnvironment, but prints the problems and exits non-zero: for a process's env.ts. */
export function loadEnvironmentOrExit<Shape extends z.ZodRawShape>(
  processName: string,
  shape: Shape,
  source: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<Shape>> {
  try {
    return parseEnvironment(processName, shape, source);
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** Nobody's telemetry leaves this machine: set before any Apollo or Prisma code reads them. */
export function disableTelemetry(): void {
  process.env.APOLLO_TELEMETRY_DISABLED = '1';
  process.env.TURBO_TELEMETRY_DISABLED = '1';
  process.env.CHECKPOINT_DISABLE = '1';
}
