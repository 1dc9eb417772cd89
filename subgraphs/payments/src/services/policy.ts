import { assertionsFor, is, type Caller, type Viewer } from '@flow/core';
import type { Prisma } from '../generated/prisma/client';

// Who sees and settles payments and invoices (docs/access.md, "payments"). The router only
// checks @authenticated; these are the real checks.

const ordersService = is.service('orders');

export interface PaymentParties {
  payerOrganizationId: string;
  payeeOrganizationId: string;
}

/** A payment is part of its order: a partner reads it as it reads orders, with orders:read. */
const partyOf = (viewer: Viewer | null, organizationId: string) =>
  is.memberOf(organizationId)(viewer) && (!is.partner(viewer) || is.partnerWith('orders:read')(viewer));

/** Only a driver's read needs the order's driver (one batched lookup): others never pay for it. */
export const needsAssignedDriver = (viewer: Viewer | null) => is.driver(viewer);

/**
 * Who sees a payment or invoice: payer, payee, platform admins and the orders service; a driver
 * of the payee only for an order assigned to them (`driverId`: the order's driver as payments
 * learnt it from the orders events, as orders limits drivers to their deliveries). Others get
 * NOT_FOUND.
 */
export function canSee(caller: Caller, row: PaymentParties, driverId: string | null): boolean {
  const viewer = caller.viewer;
  if (ordersService(caller) || is.platformAdmin(viewer)) return true;
  if (is.driver(viewer))
    return is.memberOf(row.payeeOrganizationId)(viewer) && is.driverOf({ driverId })(viewer);
  return partyOf(viewer, row.payerOrganizationId) || partyOf(viewer, row.payeeOrganizationId);
}

/**
 * The invoices list: the caller's organization's, as payer or payee; a driver's only those of the
 * orders assigned to them (`assignedOrderIds`, looked up only for drivers). It is an
 * organization's ledger, so a platform admin lists its own organization's (none): it reads any
 * single payment or invoice by id instead.
 */
export function visibleWhere(viewer: Viewer, assignedOrderIds: readonly string[]): Prisma.InvoiceWhereInput {
  if (is.driver(viewer))
    return {
      payeeOrganizationId: viewer.organizationId,
      payment: { orderId: { in: [...assignedOrderIds] } },
    };
  if (!partyOf(viewer, viewer.organizationId)) return { id: { in: [] } };
  return {
    OR: [{ payerOrganizationId: viewer.organizationId }, { payeeOrganizationId: viewer.organizationId }],
  };
}

const payeeAdmin = (viewer: Viewer | null, payeeOrganizationId: string) =>
  is.vendorAdmin(viewer) && is.memberOf(payeeOrganizationId)(viewer);

export const can = {
  /**
   * The orders service alone, while it places an order: it authorises exactly the order it is
   * placing, for the amount it priced, from its hospital to its vendor. Nobody else can name an
   * order, an amount and a payee (a forged call would otherwise open a real invoice or hold money).
   */
  authorize: (caller: Caller) => ordersService(caller),
  /** Capture and void: the orders service (at delivery, reject, cancel) or platform admins. */
  settle: (caller: Caller) => ordersService(caller) || is.platformAdmin(caller.viewer),
  refund: (caller: Caller, payeeOrganizationId: string) =>
    ordersService(caller) ||
    is.platformAdmin(caller.viewer) ||
    payeeAdmin(caller.viewer, payeeOrganizationId),
  /** Not the orders service: an invoice is paid outside Flow, and a person says so. */
  markInvoicePaid: (caller: Caller, payeeOrganizationId: string) =>
    is.platformAdmin(caller.viewer) || payeeAdmin(caller.viewer, payeeOrganizationId),
};

export const assertCan = assertionsFor(can, {
  authorize: 'Payments are authorised by the orders service, as a step of placing an order.',
  settle: 'Only the orders service or a platform admin can capture or void a payment.',
  refund: 'Only an admin of the vendor paid can refund this payment.',
  markInvoicePaid: 'Only an admin of the vendor paid can mark this invoice paid.',
});
