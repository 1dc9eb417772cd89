// Publishes a producer's transactional outbox (`outbox_events` in its own schema): rows are taken
// in occurred_at order under FOR UPDATE SKIP LOCKED, published, stamped and committed in one
// transaction. Delivery is at least once: a crash between the broker's confirm and the commit
// publishes those rows again, and consumers deduplicate on the event id.
import pg from 'pg';
import type { SubgraphDatabase } from '../db/database-url';
import { quoteIdentifier } from '../db/migrations';
import type { Logger } from '@flow/core';
import { outboxLag, outboxPending, outboxPublished, outboxPublishFailures } from '@flow/messaging';
import type { DomainEvent, EventPublisher } from '@flow/messaging';

export interface OutboxRelayOptions {
  /** The producing subgraph: each event's `source` and the metrics label. */
  source: string;
  /** Where its `outbox_events` table lives; the relay opens a small pool of its own there. */
  database: SubgraphDatabase;
  publisher: EventPublisher;
  logger: Logger;
  /** How often the outbox is polled (default 1000 ms); `wake()` runs a pass sooner. */
  intervalMs?: number;
  /** Events per transaction (default 100); a full batch is followed by the next at once. */
  batchSize?: number;
  /** How long `wake()` waits, so that a burst of commits makes one pass (default 10 ms). */
  wakeDelayMs?: number;
  /** First wait after a failed pass (default 500 ms); doubles on each failure in a row... */
  minBackoffMs?: number;
  /** ...up to this (default 10 s: a consumer that comes up is served soon). */
  maxBackoffMs?: number;
  /** A publish that takes longer fails the pass, so that row locks are never held for long (default 15 s). */
  publishTimeoutMs?: number;
}

export interface OutboxRelay {
  /** Asks for a pass soon (after a commit that wrote outbox rows); ignored while backing off. */
  wake(): void;
  /** Stops polling; resolves once the batch in flight is published and committed (or failed). */
  stop(): Promise<void>;
}

interface OutboxRow {
  id: string;
  type: string;
  occurred_at: Date;
  actor: string | null;
  organization_ids: string[];
  data: Record<string, unknown>;
}

/** Persistent failures are errors; the first few are warnings (a broker restart is routine). */
const FAILURES_BEFORE_ERROR = 5;

export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const relay = new Relay(options);
  relay.schedule(0);
  return relay;
}

class Relay implements OutboxRelay {
  private readonly pool: pg.Pool;
  private readonly table: string;
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly wakeDelayMs: number;
  private timer: NodeJS.Timeout | undefined;
  private dueAt = Number.POSITIVE_INFINITY;
  private running: Promise<void> | null = null;
  private wokenWhileRunning = false;
  private failures = 0;
  private stopped = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: OutboxRelayOptions) {
    this.logger = options.logger.child({ component: 'outbox-relay', source: options.source });
    this.intervalMs = options.intervalMs ?? 1000;
    this.batchSize = options.batchSize ?? 100;
    this.wakeDelayMs = options.wakeDelayMs ?? 10;
    this.table = `${quoteIdentifier(options.database.schema)}.outbox_events`;
    this.pool = new pg.Pool({
      connectionString: options.database.connectionString,
      max: 2,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30_000,
      application_name: `flow-${options.source}-outbox`,
    });
    // An idle connection dropped by the server must not crash the process; the next pass reconnects.
    this.pool.on('error', (error) =>
      this.logger.warn({ err: error }, 'outbox: idle database connection lost'),
    );
  }

  wake(): void {
    if (this.stopped || this.failures > 0) return;
    if (this.running) this.wokenWhileRunning = true;
    else this.schedule(this.wakeDelayMs);
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      clearTimeout(this.timer);
      this.timer = undefined;
      await this.running;
      await this.pool.end();
    })();
    return this.stopping;
  }

  /** Plans the next pass in `delayMs`, unless one is already planned sooner. */
  schedule(delayMs: number): void {
    if (this.stopped) return;
    const at = Date.now() + delayMs;
    if (this.timer && this.dueAt <= at) return;
    clearTimeout(this.timer);
    this.dueAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dueAt = Number.POSITIVE_INFINITY;
      this.running ??= this.pass().finally(() => (this.running = null));
    }, delayMs);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    this.wokenWhileRunning = false;
    let next: number;
    try {
      let published: number;
      do published = await this.publishBatch();
      while (published === this.batchSize && !this.stopped);
      if (this.failures > 0) this.logger.info({ failures: this.failures }, 'outbox: publishing again');
      this.failures = 0;
      await this.measure();
      next = this.wokenWhileRunning ? this.wakeDelayMs : this.intervalMs;
    } catch (error) {
      this.failures += 1;
      outboxPublishFailures.inc({ source: this.options.source });
      next = this.backoff();
      const details = { err: error, failures: this.failures, retryInMs: next };
      if (this.failures >= FAILURES_BEFORE_ERROR)
        this.logger.error(details, 'outbox: publishing keeps failing');
      else this.logger.warn(details, 'outbox: publishing failed; events kept for the next try');
    }
    this.schedule(next);
  }

  /** One transaction: lock a batch, publish it, stamp it. Returns how many were published. */
  private async publishBatch(): Promise<number> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<OutboxRow>(
        `SELECT id, type, occurred_at, actor, COALESCE(organization_ids, '{}')::text[] AS organization_ids, data
         FROM ${this.table} WHERE published_at IS NULL
         ORDER BY occurred_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      );
      if (rows.length > 0) {
        await this.publish(rows.map((row) => this.toEvent(row)));
        await client.query(
          `UPDATE ${this.table} SET published_at = clock_timestamp() WHERE id = ANY($1::uuid[])`,
          [rows.map((row) => row.id)],
        );
      }
      await client.query('COMMIT');
      if (rows.length > 0) {
        outboxPublished.inc({ source: this.options.source }, rows.length);
        this.logger.debug({ count: rows.length }, 'outbox: published');
      }
      return rows.length;
    } catch (error) {
      // A connection that cannot even roll back is dropped rather than trusted with the next batch.
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  private async publish(events: DomainEvent[]): Promise<void> {
    const timeoutMs = this.options.publishTimeoutMs ?? 15_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.options.publisher.publish(events),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`publish timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private toEvent(row: OutboxRow): DomainEvent {
    return {
      id: row.id,
      type: row.type,
      occurredAt: row.occurred_at.toISOString(),
      actor: row.actor,
      organizationIds: row.organization_ids,
      data: row.data,
      source: this.options.source,
    };
  }

  /** The backlog gauges; a failure here is not a publishing failure. */
  private async measure(): Promise<void> {
    try {
      const { rows } = await this.pool.query<{ pending: number; lag: number }>(
        `SELECT count(*)::int AS pending,
                COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(occurred_at)), 0)::float8 AS lag
         FROM ${this.table} WHERE published_at IS NULL`,
      );
      outboxPending.set({ source: this.options.source }, rows[0]?.pending ?? 0);
      outboxLag.set({ source: this.options.source }, Math.max(0, rows[0]?.lag ?? 0));
    } catch (error) {
      this.logger.debug({ err: error }, 'outbox: could not measure the backlog');
    }
  }

  /** Capped exponential with ±20 % jitter, so that many instances do not retry in step. */
  private backoff(): number {
    const min = this.options.minBackoffMs ?? 500;
    const max = this.options.maxBackoffMs ?? 10_000;
    const base = Math.min(max, min * 2 ** Math.min(this.failures - 1, 30));
    return Math.round(Math.min(max, base * (0.8 + Math.random() * 0.4)));
  }
}
