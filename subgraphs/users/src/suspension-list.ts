import {
  CLOCK_TOLERANCE_SECONDS,
  servedSuspensionList,
  SuspendedOrganizations,
  type Logger,
  type SuspendedOrganizationsLoader,
} from '@flow/core';
import { quoteIdentifier, type SubgraphDatabase } from '@flow/subgraph-kit';
import pg from 'pg';
import type { UsersEnvironment } from './env';

export interface SuspensionList {
  suspensions: SuspendedOrganizations;
  /** Serves the list to the other subgraphs: from this process's copy, so N pollers cost no statement. */
  serve: SuspendedOrganizationsLoader;
  close: () => Promise<void>;
}

/**
 * The authority: the organizations table, read on a small pool of its own (like the outbox
 * relay's), so the reloads never count among the statements of the requests (flow_db_statements_total).
 */
export function openSuspensionList(
  database: SubgraphDatabase,
  env: UsersEnvironment,
  logger: Logger,
): SuspensionList {
  const pool = new pg.Pool({
    connectionString: database.connectionString,
    max: 1,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    application_name: 'flow-users-suspensions',
  });
  pool.on('error', (error) => logger.warn({ err: error }, 'suspensions: idle database connection lost'));
  const schema = quoteIdentifier(database.schema);
  const recentSeconds = env.MAX_TOKEN_AGE_SECONDS + CLOCK_TOLERANCE_SECONDS + 60;
  const suspensions = new SuspendedOrganizations({
    load: async () => {
      const organizations = await pool.query<{ id: string }>(
        `SELECT id FROM ${schema}.organizations WHERE status = 'SUSPENDED'`,
      );
      // Only those a token could still be valid for: the list stays short however many are revoked.
      const revoked = await pool.query<{ id: string }>(
        `SELECT id FROM ${schema}.client_applications
         WHERE status = 'REVOKED' AND revoked_at > now() - make_interval(secs => $1)`,
        [recentSeconds],
      );
      // A secret ends by time too (its overlap runs out): each reload asks the database's clock.
      const ended = await pool.query<{ id: string }>(
        `SELECT id FROM ${schema}.client_secrets
         WHERE expires_at <= now() AND expires_at > now() - make_interval(secs => $1)`,
        [recentSeconds],
      );
      return {
        organizationIds: organizations.rows.map((row) => row.id),
        revokedClientApplicationIds: revoked.rows.map((row) => row.id),
        endedClientSecretIds: ended.rows.map((row) => row.id),
      };
    },
    logger: logger.child({ component: 'suspensions' }),
    refreshMs: env.SUSPENSION_REFRESH_MS,
    failClosed: env.FLOW_ENV === 'production',
  });
  // A caller that has the current list waits for the next change (each reload compares the
  // list's version), its wait, or users stopping (suspensions.stop()).
  const serve = servedSuspensionList(suspensions);
  return { suspensions, serve, close: () => pool.end() };
}
