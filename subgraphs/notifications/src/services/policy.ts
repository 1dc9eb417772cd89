import { is, type Viewer } from '@flow/core';
import type { Notification, Prisma } from '../generated/prisma/client';

// Who reads which notifications (docs/access.md, "notifications").

/**
 * Who reads an organization's notifications: its admins and staff. Drivers get only what is
 * addressed to them personally (their assignments); platform admins and partners have no
 * organization-wide notifications here.
 */
const organizationAudience = (viewer: Viewer) => is.hospitalMember(viewer) || is.vendorMember(viewer);

type Addressed = Pick<Notification, 'organizationId' | 'userId'>;

export function canSee(viewer: Viewer | null, notification: Addressed): boolean {
  if (!viewer) return false;
  if (notification.userId !== null) return notification.userId === viewer.userId;
  return organizationAudience(viewer) && notification.organizationId === viewer.organizationId;
}

/** The viewer's notifications, as a Prisma where clause (the same rule as canSee). */
export function visibleWhere(viewer: Viewer): Prisma.NotificationWhereInput {
  const audiences: Prisma.NotificationWhereInput[] = [{ userId: viewer.userId }];
  if (organizationAudience(viewer)) audiences.push({ organizationId: viewer.organizationId, userId: null });
  return { OR: audiences };
}
