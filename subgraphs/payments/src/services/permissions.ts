import { errors, requireViewer, type Viewer } from '@flow/platform';
import type { ServiceContext } from './context';

// Who may do what. The router only checks @authenticated; these are the real checks.

const isOrdersService = (ctx: ServiceContext) => ctx.callerService === 'orders';
const isPlatformAdmin = (viewer: Viewer | null) => viewer?.role === 'PLATFORM_ADMIN';

interface Parties {
  payerOrganizationId: string;
  payeeOrganizationId: string;
}

/**
 * Payer, payee, platform admins and the orders service read a payment or invoice; a driver of the
 * payee only for an order assigned to them (`driverId`: the order's driver as payments learnt it
 * from the orders events, like orders limits drivers to their own deliveries). Others: NOT_FOUND.
 */
export function canRead(ctx: ServiceContext, parties: Parties, driverId: string | null): boolean {
  if (isOrdersService(ctx) || isPlatformAdmin(ctx.viewer)) return true;
  const viewer = ctx.viewer;
  if (!viewer) return false;
  if (isDriver(viewer))
    return viewer.organizationId === parties.payeeOrganizationId && driverId === viewer.userId;
  return (
    viewer.organizationId === parties.payerOrganizationId ||
    viewer.organizationId === parties.payeeOrganizationId
  );
}

export const isDriver = (viewer: Viewer | null) => viewer?.role === 'DRIVER';

/**
 * The orders service alone, while it places an order: it authorises exactly the order it is
 * placing, for the amount it priced, from its hospital to its vendor. Nobody else can name an
 * order, an amount and a payee (a forged call would otherwise open a real invoice or hold money).
 */
export function requireMayAuthorize(ctx: ServiceContext): void {
  if (!isOrdersService(ctx))
    throw errors.forbidden('Payments are authorised by the orders service, as a step of placing an order.');
}

/** Capture and void: the orders service (at delivery, reject, cancel) or platform admins. */
export function requireMaySettle(ctx: ServiceContext): void {
  if (isOrdersService(ctx)) return;
  if (!isPlatformAdmin(requireViewer(ctx.viewer)))
    throw errors.forbidden('Only the orders service or a platform admin can capture or void a payment.');
}

/** Refunds: the orders service, platform admins, or an admin of the vendor that was paid. */
export function requireMayRefund(ctx: ServiceContext, payeeOrganizationId: string): void {
  if (isOrdersService(ctx)) return;
  const viewer = requireViewer(ctx.viewer);
  if (isPlatformAdmin(viewer)) return;
  if (viewer.role !== 'VENDOR_ADMIN' || viewer.organizationId !== payeeOrganizationId)
    throw errors.forbidden('Only an admin of the vendor paid can refund this payment.');
}

/** Marking an invoice paid: platform admins or an admin of the vendor paid (not the orders service). */
export function requireMayMarkInvoicePaid(ctx: ServiceContext, payeeOrganizationId: string): void {
  const viewer = requireViewer(ctx.viewer);
  if (isPlatformAdmin(viewer)) return;
  if (viewer.role !== 'VENDOR_ADMIN' || viewer.organizationId !== payeeOrganizationId)
    throw errors.forbidden('Only an admin of the vendor paid can mark this invoice paid.');
}
