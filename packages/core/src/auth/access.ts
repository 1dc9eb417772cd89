import { errors } from '../errors';
import { HOSPITAL_ROLES, ORGANIZATION_ADMIN_ROLES, VENDOR_ROLES, hasRole } from './roles';
import type { PartnerScope, Viewer } from './viewer';

/**
 * Who is asking a subgraph: the signed-in user or partner (if any) and the subgraph that signed
 * the call as itself (if any). Only a valid request signature sets `callerService` (the subgraph
 * server drops an unsigned claim), so it can be trusted like a verified token. A subgraph's
 * context has both fields.
 */
export interface Caller {
  viewer: Viewer | null;
  callerService: string | null;
}

/** The subgraphs that call others as themselves: orders, for its placement saga and recovery. */
export type CallingService = 'orders';

type ViewerCheck = (viewer: Viewer | null) => boolean;

const roleIn =
  (group: readonly Viewer['role'][], kind?: Viewer['organizationKind']): ViewerCheck =>
  (viewer) =>
    !!viewer && hasRole(viewer.role, group) && (!kind || viewer.organizationKind === kind);

const service =
  (name: CallingService) =>
  (caller: Pick<Caller, 'callerService'>): boolean =>
    caller.callerService === name;

const hospitalMember = roleIn(HOSPITAL_ROLES, 'HOSPITAL');
const vendorMember = roleIn(VENDOR_ROLES, 'VENDOR');
const partner = roleIn(['PARTNER']);
const partnerWith =
  (scope: PartnerScope): ViewerCheck =>
  (viewer) =>
    !!viewer && partner(viewer) && viewer.scopes.includes(scope);

/**
 * The access vocabulary. Roles are checked with the organization kind they belong to, so a
 * hospital role never passes for a vendor's organization. Relations are built from the row:
 * `is.memberOf(order.hospitalOrganizationId)(viewer)`.
 */
export const is = {
  signedIn: ((viewer) => !!viewer) satisfies ViewerCheck,
  platformAdmin: roleIn(['PLATFORM_ADMIN']),
  hospitalMember,
  hospitalAdmin: roleIn(['HOSPITAL_ADMIN'], 'HOSPITAL'),
  vendorMember,
  vendorAdmin: roleIn(['VENDOR_ADMIN'], 'VENDOR'),
  organizationAdmin: ((viewer) =>
    !!viewer &&
    hasRole(viewer.role, ORGANIZATION_ADMIN_ROLES) &&
    viewer.organizationKind !== 'PLATFORM') satisfies ViewerCheck,
  driver: roleIn(['DRIVER']),
  /** A partner's client application (any scopes). */
  partner,
  /** A partner's client application whose token carries `scope`. */
  partnerWith,
  /**
   * Acts as the hospital's staff: its people, or its partner with `scope` (README "Partners").
   * Used with `is.memberOf` to say which hospital.
   */
  hospitalSide:
    (scope: PartnerScope): ViewerCheck =>
    (viewer) =>
      hospitalMember(viewer) ||
      (!!viewer && partnerWith(scope)(viewer) && viewer.organizationKind === 'HOSPITAL'),
  /** Acts as the vendor's staff: its people (not its drivers), or its partner with `scope`. */
  vendorSide:
    (scope: PartnerScope): ViewerCheck =>
    (viewer) =>
      vendorMember(viewer) ||
      (!!viewer && partnerWith(scope)(viewer) && viewer.organizationKind === 'VENDOR'),
  /** Belongs to (or, for a partner, acts for) the organization. */
  memberOf:
    (organizationId: string): ViewerCheck =>
    (viewer) =>
      !!viewer && viewer.organizationId === organizationId,
  /** The driver the row (an order, or what payments learnt of it) is assigned to. */
  driverOf:
    (row: { driverId: string | null }): ViewerCheck =>
    (viewer) =>
      !!viewer && viewer.role === 'DRIVER' && row.driverId !== null && row.driverId === viewer.userId,
  /**
   * Where a person may act but a partner needs `scope`: a signed-in person, a partner with the
   * scope, or the orders service acting for any of them (it was checked where the request entered).
   */
  withinPartnerScope:
    (scope: PartnerScope) =>
    (caller: Caller): boolean =>
      !!caller.viewer &&
      (service('orders')(caller) || !partner(caller.viewer) || partnerWith(scope)(caller.viewer)),
  /** The subgraph `name` calling as itself (a signed x-flow-service), whoever it acts for. */
  service,
};

/** The one definition of a platform admin (kept as a name of its own: many callers use it). */
export const isPlatformAdmin = (viewer: Viewer | null): boolean => is.platformAdmin(viewer);

/** The viewer behind a policy's subject, which is a viewer or a whole caller. */
export const viewerOf = (subject: Viewer | Caller | null): Viewer | null =>
  subject && 'callerService' in subject ? subject.viewer : subject;

/**
 * The refusal every policy uses: nobody signed in is UNAUTHENTICATED, anyone else FORBIDDEN with
 * the action's message. A service the action does not allow, calling for nobody, is
 * UNAUTHENTICATED too: the action's predicate decides what a service may do.
 */
export function refuse(subject: Viewer | Caller | null, message: string): never {
  if (!viewerOf(subject)) throw errors.unauthenticated();
  throw errors.forbidden(message);
}

type Predicate = (subject: never, ...rest: never[]) => boolean;
type Refusal<P extends Predicate> = string | ((...args: Parameters<P>) => string);

/** The throwing twin of each `can` predicate: `assertCan.cancel(viewer, order)`. */
export type Assertions<Rules extends Record<string, Predicate>> = {
  [Action in keyof Rules]: (...args: Parameters<Rules[Action]>) => void;
};

/**
 * A policy's `assertCan` from its `can`: each action passes when its predicate does, else
 * `refuse`s with the action's message (errors.forbidden, the codes and messages clients know).
 */
export function assertionsFor<Rules extends Record<string, Predicate>>(
  can: Rules,
  refusals: { [Action in keyof Rules]: Refusal<Rules[Action]> },
): Assertions<Rules> {
  const assertions: Partial<Record<keyof Rules, (...args: never[]) => void>> = {};
  for (const action of Object.keys(can) as (keyof Rules)[]) {
    const allows = can[action] as unknown as (...args: unknown[]) => boolean;
    const refusal = refusals[action] as string | ((...args: unknown[]) => string);
    assertions[action] = (...args: never[]) => {
      if (allows(...args)) return;
      refuse(
        args[0] as unknown as Viewer | Caller | null,
        typeof refusal === 'string' ? refusal : refusal(...args),
      );
    };
  }
  return assertions as Assertions<Rules>;
}

/** Whether a partner's token carries `scope`; people (and nobody) are never partners. */
export const partnerHas = (viewer: Viewer | null, scope: PartnerScope): boolean =>
  is.partnerWith(scope)(viewer);

/**
 * The check where a person may act but a partner needs `scope`: people pass, a partner without
 * the scope is FORBIDDEN (it names the scope, so an integrator knows what to ask for).
 */
export function requirePartnerScope(viewer: Viewer, scope: PartnerScope): Viewer {
  if (is.partner(viewer) && !viewer.scopes.includes(scope))
    throw errors.forbidden(`This client application lacks the ${scope} scope.`);
  return viewer;
}
