import type { Caller } from '@flow/core';
import type { OrganizationKind, PartnerScope, Role, Viewer } from '@flow/core';

// Fixtures for the table-driven policy tests (test/policy.test.ts of each subgraph): one caller
// of every role and relation, so that a table keyed by CallerName must say what each may do.

export const ORG = {
  hospital: '00000000-0000-4000-8000-00000000a001',
  otherHospital: '00000000-0000-4000-8000-00000000a002',
  vendor: '00000000-0000-4000-8000-00000000b001',
  otherVendor: '00000000-0000-4000-8000-00000000b002',
  platform: '00000000-0000-4000-8000-00000000c001',
} as const;

/** The driver rows are assigned to (`driverId`) in the tables. */
export const ASSIGNED_DRIVER = '00000000-0000-4000-8000-00000000d001';

const kindOf = (role: Role): OrganizationKind =>
  role.startsWith('HOSPITAL') ? 'HOSPITAL' : role === 'PLATFORM_ADMIN' ? 'PLATFORM' : 'VENDOR';

let next = 0;
const userId = () => `00000000-0000-4000-8000-${(0xe00000000000 + ++next).toString(16)}`;

export function person(role: Role, organizationId: string, id: string = userId()): Viewer {
  return {
    userId: id,
    organizationId,
    organizationKind: kindOf(role),
    role,
    scopes: [`role:${role}`],
    tokenId: undefined,
  };
}

export function partner(
  organizationKind: OrganizationKind,
  organizationId: string,
  scopes: PartnerScope[],
): Viewer {
  const id = userId();
  return {
    userId: id,
    organizationId,
    organizationKind,
    role: 'PARTNER',
    scopes: ['role:PARTNER', ...scopes],
    tokenId: undefined,
    clientApplication: { id, name: 'partner-erp', secretId: userId() },
  };
}

const as = <V extends Viewer | null>(viewer: V) => ({ viewer, callerService: null as string | null });
const ALL_SCOPES: PartnerScope[] = ['orders:read', 'orders:write', 'catalog:read'];

/** Every role, in and out of the row's organizations; "the hospital"/"the vendor" are ORG's. */
export const callers = {
  anonymous: as(null),
  hospitalStaff: as(person('HOSPITAL_STAFF', ORG.hospital)),
  hospitalAdmin: as(person('HOSPITAL_ADMIN', ORG.hospital)),
  otherHospitalStaff: as(person('HOSPITAL_STAFF', ORG.otherHospital)),
  otherHospitalAdmin: as(person('HOSPITAL_ADMIN', ORG.otherHospital)),
  vendorStaff: as(person('VENDOR_STAFF', ORG.vendor)),
  vendorAdmin: as(person('VENDOR_ADMIN', ORG.vendor)),
  otherVendorStaff: as(person('VENDOR_STAFF', ORG.otherVendor)),
  otherVendorAdmin: as(person('VENDOR_ADMIN', ORG.otherVendor)),
  assignedDriver: as(person('DRIVER', ORG.vendor, ASSIGNED_DRIVER)),
  otherDriverOfVendor: as(person('DRIVER', ORG.vendor)),
  otherVendorDriver: as(person('DRIVER', ORG.otherVendor)),
  platformAdmin: as(person('PLATFORM_ADMIN', ORG.platform)),
  hospitalPartnerAllScopes: as(partner('HOSPITAL', ORG.hospital, ALL_SCOPES)),
  hospitalPartnerOrdersRead: as(partner('HOSPITAL', ORG.hospital, ['orders:read'])),
  hospitalPartnerCatalogOnly: as(partner('HOSPITAL', ORG.hospital, ['catalog:read'])),
  hospitalPartnerNoScopes: as(partner('HOSPITAL', ORG.hospital, [])),
  otherHospitalPartner: as(partner('HOSPITAL', ORG.otherHospital, ALL_SCOPES)),
  vendorPartnerAllScopes: as(partner('VENDOR', ORG.vendor, ALL_SCOPES)),
  vendorPartnerNoScopes: as(partner('VENDOR', ORG.vendor, [])),
  /** The orders subgraph calling as itself (signed x-flow-service), for nobody (a recovery job). */
  ordersService: { viewer: null, callerService: 'orders' },
  /** The orders subgraph calling as itself for a user of another organization. */
  ordersServiceForUser: { viewer: person('HOSPITAL_STAFF', ORG.otherHospital), callerService: 'orders' },
} satisfies Record<string, Caller>;

export type CallerName = keyof typeof callers;

/** What a table says of one caller: visible/allowed (true), or not (false, or the error code). */
export type Expected = boolean | 'UNAUTHENTICATED' | 'FORBIDDEN';

/** test.each rows from a table that must name every caller. */
export const rowsOf = <T>(table: Record<CallerName, T>) =>
  (Object.keys(table) as CallerName[]).map((name) => [name, callers[name], table[name]] as const);

/** What an assertion did: true when it passed, else the code it threw (UNAUTHENTICATED, FORBIDDEN). */
export function outcomeOf(assertion: () => unknown): Expected {
  try {
    assertion();
    return true;
  } catch (error) {
    const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
    if (code === 'UNAUTHENTICATED' || code === 'FORBIDDEN') return code;
    throw error;
  }
}

type Where = Record<string, unknown>;

/**
 * Whether a row matches a Prisma where of the shapes policies write (equality, `in`, OR, AND,
 * and a relation's where on a nested object), so a test can check that `visibleWhere` lists
 * exactly the rows `canSee` shows.
 */
export function matchesWhere(where: Where, row: Record<string, unknown>): boolean {
  return Object.entries(where).every(([key, condition]) => {
    if (key === 'OR') return (condition as Where[]).some((w) => matchesWhere(w, row));
    if (key === 'AND') return (condition as Where[]).every((w) => matchesWhere(w, row));
    const value = row[key];
    if (condition !== null && typeof condition === 'object' && !Array.isArray(condition)) {
      if ('in' in condition) return (condition.in as unknown[]).includes(value);
      if ('equals' in condition) return condition.equals === value;
      return typeof value === 'object' && value !== null && matchesWhere(condition as Where, value as Where);
    }
    return value === condition;
  });
}
