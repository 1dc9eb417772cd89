import type { Role, Viewer } from '@flow/platform';
import type { Notification, Prisma } from '../generated/prisma/client';

/**
 * Who reads an organization's notifications: its admins and staff. Drivers get only what is
 * addressed to them personally (their assignments); platform admins and partners have no
 * organization-wide notifications here.
 */
const ORGANIZATION_AUDIENCE: readonly Role[] = [
  'HOSPITAL_ADMIN',
  'HOSPITAL_STAFF',
  'VENDOR_ADMIN',
  'VENDOR_STAFF',
];

type Addressed = Pick<Notification, 'organizationId' | 'userId'>;

export function canSeeNotification(viewer: Viewer, notification: Addressed): boolean {
  if (notification.userId !== null) return notification.userId === viewer.userId;
  return ORGANIZATION_AUDIENCE.includes(viewer.role) && notification.organizationId === viewer.organizationId;
}

/** The viewer's notifications, as a Prisma where clause (the same rule as canSeeNotification). */
export function visibleNotificationsWhere(viewer: Viewer): Prisma.NotificationWhereInput {
  const audiences: Prisma.NotificationWhereInput[] = [{ userId: viewer.userId }];
  if (ORGANIZATION_AUDIENCE.includes(viewer.role))
    audiences.push({ organizationId: viewer.organizationId, userId: null });
  return { OR: audiences };
}
