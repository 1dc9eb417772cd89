// organization.registered|approved|suspended (packages/platform/src/events/README.md), written to the outbox in the
// transaction of the change: an event exists exactly when its change does, and the outbox relay
// publishes it once that transaction has committed.
import type { Organization, OrganizationStatus, Prisma } from '../generated/prisma/client';
import type { UsersTransaction } from '../db';

export type OrganizationEventType =
  'organization.registered' | 'organization.approved' | 'organization.suspended';

export interface OrganizationEvent {
  type: OrganizationEventType;
  organization: Organization;
  /** The user whose action made it: the platform admin, or the new organization's own admin for a
   * self-registration; null for the system (platform admin bootstrap, demo seed). */
  actor: string | null;
  /** The status before an approval or a suspension (approving a SUSPENDED one reinstates it). */
  previousStatus?: OrganizationStatus;
}

export async function recordOrganizationEvent(tx: UsersTransaction, event: OrganizationEvent): Promise<void> {
  const { organization } = event;
  const data: Prisma.InputJsonObject = {
    organizationId: organization.id,
    name: organization.name,
    kind: organization.kind,
    status: organization.status,
    ...(event.previousStatus ? { previousStatus: event.previousStatus } : {}),
    ...(event.type === 'organization.suspended' ? { reason: organization.suspendedReason } : {}),
  };
  await tx.outboxEvent.create({
    data: { type: event.type, actor: event.actor, organizationIds: [organization.id], data },
  });
}
