import type { Logger } from '@flow/core';
import type { NotificationsPrisma } from '../db';
import type { LiveUpdates } from './live-updates';
import { planNotifications, type ConsumedEvent, type PlannedNotification } from './rules';

/** What handling one delivery of an event did. */
export type InboxOutcome =
  { kind: 'ignored' } | { kind: 'duplicate' } | { kind: 'created'; notificationIds: string[] };

/**
 * The idempotent consumer of domain events: turns each event into notifications once, however
 * often it is delivered. The event id is claimed in processed_events in the transaction that
 * writes the notifications, so a redelivery (even concurrent with the first) finds it and writes
 * nothing; a failed transaction claims nothing, so a retry starts clean.
 */
export class NotificationInbox {
  constructor(
    private readonly prisma: NotificationsPrisma,
    private readonly live: LiveUpdates,
    private readonly logger: Logger,
  ) {}

  /**
   * The platform's DomainEventHandler, bound (pass it as is): resolves once the event is handled,
   * ignored or found already handled; rejects to have it delivered again (a MalformedEventError
   * will fail every time: the transport dead-letters it after its retries).
   */
  readonly handle = async (event: ConsumedEvent): Promise<void> => {
    await this.consume(event);
  };

  async consume(event: ConsumedEvent): Promise<InboxOutcome> {
    const planned = planNotifications(event);
    if (planned === null) {
      this.logger.debug(
        { eventId: event.id, type: event.type },
        'event ignored: no notification for its type',
      );
      return { kind: 'ignored' };
    }
    const eventId = event.id.toLowerCase();
    const created = await this.claimAndCreate(eventId, event, planned);
    if (created === null) {
      this.logger.debug({ eventId, type: event.type }, 'event already handled');
      return { kind: 'duplicate' };
    }
    this.logger.info({ eventId, type: event.type, notifications: created.length }, 'notifications created');
    await this.live.notificationsAdded(created);
    return { kind: 'created', notificationIds: created.map((n) => n.id) };
  }

  /**
   * One statement (so one implicit transaction, and one round trip: the consumer's CPU per event
   * is what bounds its throughput): claim the event id, and only if this claim is new, insert the
   * notifications. ON CONFLICT DO NOTHING makes a concurrent copy wait on the key until the first
   * commits, then skip. Null when the event was already handled.
   */
  private async claimAndCreate(
    eventId: string,
    event: ConsumedEvent,
    planned: readonly PlannedNotification[],
  ): Promise<CreatedNotification[] | null> {
    const rows = await this.prisma.$queryRaw<(CreatedNotification & { claimed: string | null })[]>`
      WITH claimed AS (
        INSERT INTO processed_events (event_id, type, notification_count)
        VALUES (${eventId}::uuid, ${event.type}, ${planned.length})
        ON CONFLICT (event_id) DO NOTHING
        RETURNING event_id
      ),
      created AS (
        INSERT INTO notifications
          (id, type, title, body, organization_id, user_id, order_id, depot_id, product_id, event_id, occurred_at)
        SELECT gen_random_uuid(), p.type::"NotificationType", p.title, p.body, p."organizationId",
               p."userId", p."orderId", p."depotId", p."productId", claimed.event_id,
               ${new Date(event.occurredAt)}::timestamptz
        FROM claimed,
             jsonb_to_recordset(${JSON.stringify(planned)}::jsonb) AS p(
               type text, title text, body text, "organizationId" uuid, "userId" uuid,
               "orderId" uuid, "depotId" uuid, "productId" uuid)
        RETURNING id::text, organization_id::text AS "organizationId", user_id::text AS "userId"
      )
      SELECT claimed.event_id::text AS claimed, created.id, created."organizationId", created."userId"
      FROM claimed LEFT JOIN created ON true`;
    if (rows.length === 0) return null;
    return rows
      .filter((row) => row.id !== null)
      .map(({ id, organizationId, userId }) => ({ id, organizationId, userId }));
  }
}

interface CreatedNotification {
  id: string;
  organizationId: string | null;
  userId: string | null;
}
