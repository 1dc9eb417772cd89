import { assertionsFor, is, type Caller, type Viewer } from '@flow/core';
import type { Prisma } from '../generated/prisma/client';

// Who sees and sets prices and delivery terms (docs/access.md, "pricing"). The router checks the
// roles with @requiresScopes too, but a direct call (development) or a misrouted one must not get
// further: the organization kind is checked as well, since a change lands on the caller's.

/** Prices are part of the catalog a partner compares: it reads them with catalog:read. */
const catalogReader = (viewer: Viewer) => !is.partner(viewer) || is.partnerWith('catalog:read')(viewer);

/**
 * Whether the viewer may read a vendor's price list and delivery terms: hospitals (who compare
 * offers) and platform admins see every vendor's; a vendor (its people, drivers and partners)
 * sees only its own, not its competitors'.
 */
export const canSee = (viewer: Viewer | null, vendorId: string): boolean =>
  !!viewer &&
  catalogReader(viewer) &&
  (viewer.organizationKind !== 'VENDOR' || is.memberOf(vendorId)(viewer));

/** The price list entries the viewer may list: a vendor's own, everyone's for the others. */
export function visibleWhere(viewer: Viewer): Prisma.PriceListEntryWhereInput {
  if (!catalogReader(viewer)) return { id: { in: [] } };
  return viewer.organizationKind === 'VENDOR' ? { vendorOrganizationId: viewer.organizationId } : {};
}

export const can = {
  seePriceList: canSee,
  seeDeliveryTerms: canSee,
  /** A partner compares offers with catalog:read; the orders service acting for it was checked. */
  compareOffers: (caller: Caller) => is.withinPartnerScope('catalog:read')(caller),
  /** A vendor's people set its prices; its admins its delivery terms. */
  setPrices: (viewer: Viewer | null) => is.vendorMember(viewer),
  setDeliveryTerms: (viewer: Viewer | null) => is.vendorAdmin(viewer),
};

export const assertCan = assertionsFor(can, {
  seePriceList: (viewer) =>
    viewer && !catalogReader(viewer)
      ? 'This client application lacks the catalog:read scope.'
      : "A vendor cannot see another vendor's price list.",
  seeDeliveryTerms: (viewer) =>
    viewer && !catalogReader(viewer)
      ? 'This client application lacks the catalog:read scope.'
      : "A vendor cannot see another vendor's delivery terms.",
  compareOffers: 'This client application lacks the catalog:read scope.',
  setPrices: 'Only VENDOR_ADMIN or VENDOR_STAFF of a vendor can set prices.',
  setDeliveryTerms: 'Only VENDOR_ADMIN of a vendor can set delivery terms.',
});
