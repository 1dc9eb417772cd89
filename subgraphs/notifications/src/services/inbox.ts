import type { Logger } from '@flow/platform';
import type { NotificationsPrisma } from '../db';
import type { LiveUpdates } from './live-updates';
import { planNotifications, type ConsumedEvent } from './rules';

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
    const created = await this.prisma.$transaction(async (tx) => {
      // ON CONFLICT DO NOTHING: a concurrent copy waits on the key until this one commits, then skips.
      const claimed = await tx.processedEvent.createMany({
        data: [{ eventId, type: event.type, notificationCount: planned.length }],
        skipDuplicates: true,
      });
      if (claimed.count === 0) return null;
      return tx.notification.createManyAndReturn({
        data: planned.map((p) => ({ ...p, eventId, occurredAt: new Date(event.occurredAt) })),
        select: { id: true, organizationId: true, userId: true },
      });
    });
    if (created === null) {
      this.logger.debug({ eventId, type: event.type }, 'event already handled');
      return { kind: 'duplicate' };
    }
    this.logger.info({ eventId, type: event.type, notifications: created.length }, 'notifications created');
    await this.live.notificationsAdded(created);
    return { kind: 'created', notificationIds: created.map((n) => n.id) };
  }
}
