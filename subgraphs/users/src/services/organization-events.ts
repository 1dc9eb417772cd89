// organization.registered|approved|suspended (@flow/contracts), written to the outbox in the
// transaction of the change: an event exists exactly when its change does, and the outbox relay
// publishes it once that transaction has committed.
import { recordEvent } from '@flow/contracts';
import type { Organization, OrganizationStatus } from '../generated/prisma/client';
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
  const meta = { actor: event.actor, organizationIds: [organization.id] };
  const about = {
    organizationId: organization.id,
    name: organization.name,
    kind: organization.kind,
    status: organization.status,
  };
  if (event.type === 'organization.registered') await recordEvent(tx, event.type, about, meta);
  else if (event.type === 'organization.approved')
    await recordEvent(tx, event.type, { ...about, previousStatus: event.previousStatus }, meta);
  else
    await recordEvent(
      tx,
      event.type,
      { ...about, previousStatus: event.previousStatus, reason: organization.suspendedReason },
      meta,
    );
}
