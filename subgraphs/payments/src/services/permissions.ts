import { errors, requireViewer, type Viewer } from '@flow/platform';
import type { ServiceContext } from './context';

// Who may do what. The router only checks @authenticated; these are the real checks.

const isOrdersService = (ctx: ServiceContext) => ctx.callerService === 'orders';
const isPlatformAdmin = (viewer: Viewer | null) => viewer?.role === 'PLATFORM_ADMIN';

interface Parties {
  payerOrganizationId: string;
  payeeOrganizationId: string;
}

/** Payer, payee, platform admins and the orders service read a payment; others get NOT_FOUND. */
export function canRead(ctx: ServiceContext, parties: Parties): boolean {
  if (isOrdersService(ctx) || isPlatformAdmin(ctx.viewer)) return true;
  const org = ctx.viewer?.organizationId;
  return org === parties.payerOrganizationId || org === parties.payeeOrganizationId;
}

/** The orders service, platform admins, or an admin or staff member of the paying hospital. */
export function requireMayAuthorize(ctx: ServiceContext, payerOrganizationId: string): void {
  if (isOrdersService(ctx)) return;
  const viewer = requireViewer(ctx.viewer);
  if (isPlatformAdmin(viewer)) return;
  const hospitalRole = viewer.role === 'HOSPITAL_ADMIN' || viewer.role === 'HOSPITAL_STAFF';
  if (!hospitalRole || viewer.organizationId !== payerOrganizationId)
    throw errors.forbidden('Only the paying hospital or the orders service can authorise its payment.');
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
