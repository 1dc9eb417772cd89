import { assertionsFor, is, type Viewer } from '@flow/core';
import type { AuditEvent, Prisma } from '../generated/prisma/client';

// Who reads the platform's figures and its audit log (docs/access.md, "admin").

export const can = {
  /** The platform's figures span every organization: platform admins only. */
  readStats: (viewer: Viewer | null) => is.platformAdmin(viewer),
  /** Platform admins read the whole log; an organization's admins what is addressed to it. */
  readAuditLog: (viewer: Viewer | null) => is.platformAdmin(viewer) || is.organizationAdmin(viewer),
};

export const assertCan = assertionsFor(can, {
  readStats: 'Only platform admins can read the platform statistics.',
  readAuditLog: "Only platform admins and an organization's admins can read the audit log.",
});

/** Whether the viewer may see this event of the log (the same rule as visibleWhere). */
export function canSeeEvent(viewer: Viewer | null, event: Pick<AuditEvent, 'organizationIds'>): boolean {
  if (is.platformAdmin(viewer)) return true;
  return is.organizationAdmin(viewer) && event.organizationIds.includes(viewer!.organizationId);
}

/** The events of the log the viewer may see, as a Prisma where clause. */
export function visibleWhere(viewer: Viewer): Prisma.AuditEventWhereInput {
  if (is.platformAdmin(viewer)) return {};
  if (is.organizationAdmin(viewer)) return { organizationIds: { has: viewer.organizationId } };
  return { id: { in: [] } };
}
