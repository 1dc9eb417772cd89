// The configuration of `npm start` itself, validated in one place like every process's env.ts.
import { join } from 'node:path';
// The env and catalog subpaths, not the whole of @flow/core: `npm start`'s supervisor stays small.
import { ROUTER_PORT, subgraphCatalog } from '@flow/core/catalog';
import {
  booleanSchema,
  flowEnvSchema,
  InvalidEnvironmentError,
  parseEnvironment,
  portSchema,
  z,
} from '@flow/core/env';
import { repositoryRoot } from './lib/repository';

export const portVariable = (name: string) => `${name.toUpperCase()}_PORT`;

const startShape = {
  FLOW_ENV: flowEnvSchema,
  DATABASE_URL: z.string().url().optional(),
  FLOW_DATA_DIR: z.string().default(join(repositoryRoot, '.flow-data')),
  ROUTER_PORT: portSchema(ROUTER_PORT),
  /** dist: build incrementally, then run the compiled processes; source: run them through tsx. */
  START_FROM: z.enum(['dist', 'source']).default('dist'),
  /** The memory settings of scripts/start.ts for every process; false: Node's and glibc's defaults. */
  LEAN_PROCESSES: booleanSchema(true),
  /** Unset: seeded outside production, never in it. */
  SEED_DEMO_DATA: z.enum(['true', 'false', '1', '0', 'yes', 'no']).optional(),
  /** A process that crashes this often within RESTART_WINDOW_SECONDS is given up on. */
  RESTART_LIMIT: z.coerce.number().int().min(1).max(100).default(5),
  RESTART_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  ...Object.fromEntries(subgraphCatalog.map(({ name, port }) => [portVariable(name), portSchema(port)])),
};

/** Parses and checks the environment of `npm start`; throws naming every bad variable. */
export function parseStartEnvironment(source: NodeJS.ProcessEnv) {
  const env = parseEnvironment('npm start', startShape, source);
  const production = env.FLOW_ENV === 'production';
  const seedDemoData = booleanSchema(!production).parse(env.SEED_DEMO_DATA);
  const problems: string[] = [];
  if (production && seedDemoData)
    problems.push('SEED_DEMO_DATA: production refuses demo accounts (their passwords are public)');
  // The embedded database lives in the checkout's data folder: a development convenience.
  if (production && !env.DATABASE_URL)
    problems.push('DATABASE_URL: required in production (the embedded database is for development)');
  if (problems.length) throw new InvalidEnvironmentError('npm start', problems);
  const ports = Object.fromEntries(
    subgraphCatalog.map(({ name }) => [
      name,
      (env as unknown as Record<string, number>)[portVariable(name)]!,
    ]),
  );
  return { ...env, SEED_DEMO_DATA: seedDemoData, subgraphPorts: ports };
}

export function loadStartEnvironment(source: NodeJS.ProcessEnv = process.env) {
  try {
    return parseStartEnvironment(source);
  } catch (error) {
    if (!(error instanceof InvalidEnvironmentError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
