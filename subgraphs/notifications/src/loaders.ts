import type DataLoader from 'dataloader';
import { batchLoader, rowByIdLoader } from '@flow/subgraph-kit';
import { type Viewer } from '@flow/core';
import type { Notification, NotificationReceipt } from './generated/prisma/client';
import type { NotificationsPrisma } from './db';

/** One set per request: every entity hop goes through these, so a list costs one query, not N. */
export interface Loaders {
  notificationById: DataLoader<string, Notification | null>;
  /** The request viewer's read receipt of a notification; null while unread (or with no viewer). */
  viewerReceiptByNotificationId: DataLoader<string, NotificationReceipt | null>;
}

export function createLoaders(prisma: NotificationsPrisma, viewer: Viewer | null): Loaders {
  return {
    notificationById: rowByIdLoader(prisma.notification),
    viewerReceiptByNotificationId: batchLoader(
      async (ids) =>
        viewer
          ? prisma.notificationReceipt.findMany({
              where: { userId: viewer.userId, notificationId: { in: ids } },
            })
          : [],
      (row) => row.notificationId,
    ),
  };
}
