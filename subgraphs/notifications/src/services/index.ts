import type { Logger } from '@flow/core';
import type { NotificationsPrisma } from '../db';
import { NotificationInbox } from './inbox';
import { LiveUpdates, type LivePublisher } from './live-updates';
import { NotificationService } from './notification-service';

export interface NotificationsServices {
  notifications: NotificationService;
  /** The domain-event consumer: `inbox.handle` is the handler to plug into the event bus. */
  inbox: NotificationInbox;
}

export interface NotificationsServicesOptions {
  prisma: NotificationsPrisma;
  logger: Logger;
  /** Where live messages go; none: no live messages. */
  publisher?: LivePublisher | null;
}

export function createNotificationsServices(options: NotificationsServicesOptions): NotificationsServices {
  const logger = options.logger.child({ service: 'notifications' });
  const live = new LiveUpdates(options.publisher ?? null, logger);
  return {
    notifications: new NotificationService(options.prisma),
    inbox: new NotificationInbox(options.prisma, live, logger),
  };
}
