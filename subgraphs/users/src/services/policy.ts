import { assertionsFor, is, type Viewer } from '@flow/core';
import type { User } from '../generated/prisma/client';

// Who sees and manages organizations, their people and their client applications
// (docs/access.md, "users"). The router checks org:admin / platform:admin with @requiresScopes too.

/**
 * Who sees a user's private fields (email): people of the same organization and platform admins
 * (the service adds the user a request just signed in). A partner is a machine acting for its
 * organization's orders and catalog, not one of its people: it sees no one's email.
 */
export const canSee = (viewer: Viewer | null, user: Pick<User, 'organizationId'>): boolean =>
  is.platformAdmin(viewer) || (!is.partner(viewer) && is.memberOf(user.organizationId)(viewer));

/** Who may see an organization's internals (its people, why it was suspended) and manage it. */
export const canManageOrganization = (viewer: Viewer | null, organizationId: string): boolean =>
  is.platformAdmin(viewer) || (is.organizationAdmin(viewer) && is.memberOf(organizationId)(viewer));

/** The client applications a list shows: every organization's to platform admins, else one's own. */
export const visibleClientApplicationsWhere = (viewer: Viewer) =>
  is.platformAdmin(viewer) ? {} : { organizationId: viewer.organizationId };

export const can = {
  /** Invitations go into the admin's own organization. */
  inviteUsers: (viewer: Viewer | null) => !!viewer && canManageOrganization(viewer, viewer.organizationId),
  listUsers: (viewer: Viewer | null, organizationId: string) => canManageOrganization(viewer, organizationId),
  /**
   * The one rule for managing client applications: platform admins for any organization, an
   * organization's admins for their own. Anyone else (staff, drivers, partners) is FORBIDDEN.
   */
  manageClientApplications: (viewer: Viewer | null, organizationId: string) =>
    canManageOrganization(viewer, organizationId),
  /** Listing organizations, approving and suspending them. */
  administerOrganizations: (viewer: Viewer | null) => is.platformAdmin(viewer),
};

export const assertCan = assertionsFor(can, {
  inviteUsers: 'Only organization admins can invite users.',
  listUsers: 'Only the organization’s admins can list its users.',
  manageClientApplications:
    "Only platform admins and the organization's admins manage its client applications.",
  administerOrganizations: 'Only platform admins can do this.',
});
