// The configuration of `npm start` itself, validated in one place like every process's env.ts.
import { join } from 'node:path';
import {
  booleanSchema,
  loadEnvironmentOrExit,
  portSchema,
  ROUTER_PORT,
  subgraphCatalog,
  z,
} from '../packages/platform/src';

export const portVariable = (name: string) => `${name.toUpperCase()}_PORT`;

export function loadStartEnvironment() {
  const env = loadEnvironmentOrExit('npm start', {
    DATABASE_URL: z.string().url().optional(),
    FLOW_DATA_DIR: z.string().default(join(__dirname, '..', '.flow-data')),
    ROUTER_PORT: portSchema(ROUTER_PORT),
    SEED_DEMO_DATA: booleanSchema(true),
    /** A process that crashes this often within RESTART_WINDOW_SECONDS is given up on. */
    RESTART_LIMIT: z.coerce.number().int().min(1).max(100).default(5),
    RESTART_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
    ...Object.fromEntries(subgraphCatalog.map(({ name, port }) => [portVariable(name), portSchema(port)])),
  });
  const ports = Object.fromEntries(
    subgraphCatalog.map(({ name }) => [
      name,
      (env as unknown as Record<string, number>)[portVariable(name)]!,
    ]),
  );
  return { ...env, subgraphPorts: ports };
}
