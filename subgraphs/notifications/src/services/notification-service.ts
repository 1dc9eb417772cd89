import { errors, isUuid, pageByCreatedAt, requireUuid, requireViewer, type Connection } from '@flow/core';
import type { Notification, Prisma } from '../generated/prisma/client';
import type { NotificationsPrisma } from '../db';
import { canSee, visibleWhere } from './policy';
import type { ServiceContext } from './context';

/** The most ids one markNotificationsRead takes (a page is at most 100 too). */
export const MAX_MARK_READ_IDS = 100;

export interface ListArgs {
  unreadOnly?: boolean | null;
  first?: number | null;
  after?: string | null;
}

/** The viewer's notifications and their own read state. */
export class NotificationService {
  constructor(private readonly prisma: NotificationsPrisma) {}

  /** Newest first; unreadOnly keeps those the viewer has not read. */
  async list(ctx: ServiceContext, args: ListArgs): Promise<Connection<Notification>> {
    const viewer = requireViewer(ctx.viewer);
    const where: Prisma.NotificationWhereInput = visibleWhere(viewer);
    if (args.unreadOnly) where.receipts = { none: { userId: viewer.userId } };
    return pageByCreatedAt(
      args,
      'desc',
      (page) => this.prisma.notification.findMany({ ...page, where: { AND: [where, page.where] } }),
      () => this.prisma.notification.count({ where }),
    );
  }

  /** The notification if the viewer can see it; null otherwise (no hint it exists). */
  async visible(ctx: ServiceContext, rawId: string): Promise<Notification | null> {
    const viewer = requireViewer(ctx.viewer);
    const notification = await ctx.loaders.notificationById.load(requireUuid(rawId, 'id'));
    return notification && canSee(viewer, notification) ? notification : null;
  }

  async unreadCount(ctx: ServiceContext): Promise<number> {
    const viewer = requireViewer(ctx.viewer);
    return this.prisma.notification.count({
      where: { ...visibleWhere(viewer), receipts: { none: { userId: viewer.userId } } },
    });
  }

  /** When the viewer read it; null while unread. */
  async readAt(ctx: ServiceContext, notification: Pick<Notification, 'id'>): Promise<Date | null> {
    const receipt = await ctx.loaders.viewerReceiptByNotificationId.load(notification.id);
    return receipt?.readAt ?? null;
  }

  /**
   * Marks the viewer's notifications read; returns how many were not read before. Ids the viewer
   * cannot see are skipped like ids that do not exist, so the count tells nothing about others'.
   */
  async markRead(ctx: ServiceContext, rawIds: readonly string[]): Promise<number> {
    const viewer = requireViewer(ctx.viewer);
    if (rawIds.length > MAX_MARK_READ_IDS)
      throw errors.badUserInput('ids', `ids may name at most ${MAX_MARK_READ_IDS} notifications.`);
    const bad = rawIds.findIndex((id) => !isUuid(id));
    if (bad >= 0) throw errors.badUserInput('ids', `ids[${bad}] is not a valid id.`);
    const ids = [...new Set(rawIds.map((id) => id.toLowerCase()))];
    if (ids.length === 0) return 0;
    const visible = await this.prisma.notification.findMany({
      where: { AND: [{ id: { in: ids } }, visibleWhere(viewer)] },
      select: { id: true },
    });
    if (visible.length === 0) return 0;
    // Already read: the receipt exists and is kept (with its first readAt); not counted again.
    const marked = await this.prisma.notificationReceipt.createMany({
      data: visible.map((n) => ({ notificationId: n.id, userId: viewer.userId })),
      skipDuplicates: true,
    });
    return marked.count;
  }
}
