import { errors, requireUuid, type Caller } from '@flow/core';

/**
 * The organization a new hold is for (the ordering hospital), for the orders service: the one it
 * names, else the user's it acts for; without a user it must name one.
 */
export function reservingOrganization(caller: Caller, requested: string | null | undefined): string {
  const field = 'input.organizationId';
  if (requested !== null && requested !== undefined) return requireUuid(requested, field);
  if (caller.viewer) return caller.viewer.organizationId;
  throw errors.badUserInput(field, `${field} is required when no user is signed in.`);
}

/**
 * Who a change is recorded as made by: `userId` for movements and `created_by` (uuid columns,
 * so a user or nobody), `event` for the outbox `actor`, which also names a service acting
 * without a user (`service:orders`). Null in both for this subgraph's own jobs.
 */
export interface ChangeActor {
  userId: string | null;
  event: string | null;
}

export function changeActor(caller: Caller): ChangeActor {
  if (caller.viewer) return { userId: caller.viewer.userId, event: caller.viewer.userId };
  return { userId: null, event: caller.callerService ? `service:${caller.callerService}` : null };
}
