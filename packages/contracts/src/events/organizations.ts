// Written by users (services/organization-events.ts) when an organization registers, is approved
// (or reinstated) or is suspended.
import { z } from 'zod';
import { anyText, uuid } from './fields';

const organization = {
  organizationId: uuid(),
  /** As registered; users always writes it. */
  name: anyText().optional(),
  /** HOSPITAL, VENDOR or PLATFORM. */
  kind: anyText(),
  /** The status after the change. */
  status: anyText(),
};

/** The status before an approval or a suspension (approving a SUSPENDED one reinstates it). */
const previousStatus = anyText().optional();

export const organizationEventSchemas = {
  'organization.registered': z.object(organization),
  'organization.approved': z.object({ ...organization, previousStatus }),
  'organization.suspended': z.object({ ...organization, previousStatus, reason: anyText().nullable() }),
};
