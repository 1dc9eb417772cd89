import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subgraphCatalog, subgraphUrlVariable } from '@flow/core';
import { DEVELOPMENT_ROUTER_SECRET } from '@flow/subgraph-kit';
import { startSubgraphTestEnvironment, stopAll, type SubgraphTestEnvironment } from '@flow/testing';
import {
  DEVELOPMENT_ADMIN,
  parseUsersEnvironment,
  startUsersApp,
  type UsersApp,
  type UsersAppOptions,
  type UsersEnvironment,
} from '../src';

export interface UsersTestEnvironment extends SubgraphTestEnvironment<UsersEnvironment, UsersApp> {
  /** The configuration (users calls it its environment). */
  env: UsersEnvironment;
  admin: { email: string; password: string };
}

/**
 * Without a broker, events are pushed to the consumers' URLs: a closed port here, so that a test
 * never feeds a platform running on this machine (organization-events.test.ts uses RabbitMQ).
 */
const NOWHERE = Object.fromEntries(
  subgraphCatalog
    .filter((s) => s.consumes?.length)
    .map((s) => [subgraphUrlVariable(s.name), 'http://127.0.0.1:9/graphql']),
);

/** The users subgraph in @flow/testing's environment, with a data folder of its own. */
export async function createTestEnvironment(
  env: Record<string, string> = {},
  options: UsersAppOptions = {},
): Promise<UsersTestEnvironment> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flow-users-'));
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true });
  const t = await startSubgraphTestEnvironment({
    name: 'users',
    start: startUsersApp,
    parseConfig: parseUsersEnvironment,
    env: {
      FLOW_DATA_DIR: dataDir,
      PASSWORD_SCRYPT_LOG2_COST: '14',
      // The default secret: a router or subgraph that other tests start beside users with their
      // defaults signs with it (a subgraph environment next to users takes env.ROUTER_SIGNING_SECRET).
      ROUTER_SIGNING_SECRET: DEVELOPMENT_ROUTER_SECRET,
      ...NOWHERE,
      ...env,
    },
    options,
  }).catch((error: unknown) => {
    removeDataDir();
    throw error;
  });
  return {
    ...t,
    env: t.config,
    admin: DEVELOPMENT_ADMIN,
    // Through Prisma, as these tests were written for (a count is a bigint).
    sql: async <Row>(text: string, values: unknown[] = []) =>
      (await t.app.prisma.$queryRawUnsafe(text, ...values)) as Row[],
    stop: () => stopAll([t.stop, removeDataDir]),
  };
}
