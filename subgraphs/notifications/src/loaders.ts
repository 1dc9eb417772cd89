import DataLoader from 'dataloader';
import { isUuid, type Viewer } from '@flow/platform';
import type { Notification, NotificationReceipt } from './generated/prisma/client';
import type { NotificationsPrisma } from './db';

/** One set per request: every entity hop goes through these, so a list costs one query, not N. */
export interface Loaders {
  notificationById: DataLoader<string, Notification | null>;
  /** The request viewer's read receipt of a notification; null while unread (or with no viewer). */
  viewerReceiptByNotificationId: DataLoader<string, NotificationReceipt | null>;
}

function valid(keys: readonly string[]): string[] {
  return [...new Set(keys.filter(isUuid).map((k) => k.toLowerCase()))];
}

export function createLoaders(prisma: NotificationsPrisma, viewer: Viewer | null): Loaders {
  return {
    notificationById: new DataLoader(async (keys) => {
      const ids = valid(keys);
      const rows = ids.length ? await prisma.notification.findMany({ where: { id: { in: ids } } }) : [];
      const found = new Map(rows.map((row) => [row.id, row]));
      return keys.map((k) => found.get(k.toLowerCase()) ?? null);
    }),
    viewerReceiptByNotificationId: new DataLoader(async (keys) => {
      const ids = valid(keys);
      const rows =
        viewer && ids.length
          ? await prisma.notificationReceipt.findMany({
              where: { userId: viewer.userId, notificationId: { in: ids } },
            })
          : [];
      const found = new Map(rows.map((row) => [row.notificationId, row]));
      return keys.map((k) => found.get(k.toLowerCase()) ?? null);
    }),
  };
}
