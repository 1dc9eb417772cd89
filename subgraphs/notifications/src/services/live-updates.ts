import { liveTopics } from '@flow/contracts';
import type { Logger } from '@flow/core';

/** Where live notifications go (the platform PubSub: Redis, or in-process bridged to the router). */
export interface LivePublisher {
  publish(topic: string, message: unknown): Promise<void>;
}

export const NOTIFICATION_ADDED = 'notification.added';

/** Where a notification's audience listens: its organization's topic, or its user's. */
export function topicOf(notification: { organizationId: string | null; userId: string | null }): string {
  return notification.userId !== null
    ? liveTopics.userNotifications(notification.userId)
    : liveTopics.organizationNotifications(notification.organizationId!);
}

/**
 * Tells subscribers that notifications were added, after they are committed. A message carries
 * only the id: the router reads the notification with each subscriber's credentials. Best effort:
 * a lost message is never a lost notification (it is in the database and in the list), so
 * failures are logged, not thrown.
 */
export class LiveUpdates {
  constructor(
    private readonly publisher: LivePublisher | null,
    private readonly logger: Logger,
  ) {}

  async notificationsAdded(
    notifications: readonly { id: string; organizationId: string | null; userId: string | null }[],
  ): Promise<void> {
    if (!this.publisher || notifications.length === 0) return;
    const publisher = this.publisher;
    const results = await Promise.allSettled(
      notifications.map((n) =>
        publisher.publish(topicOf(n), { type: NOTIFICATION_ADDED, notificationId: n.id }),
      ),
    );
    results.forEach((result, index) => {
      if (result.status === 'rejected')
        this.logger.warn(
          { notificationId: notifications[index]!.id, err: result.reason },
          'live notification not published',
        );
    });
  }
}
