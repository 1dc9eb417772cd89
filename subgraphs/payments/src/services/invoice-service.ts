import { recordEvent } from '@flow/contracts';
import { decodeCursor, errors, pageSize, requireUuid, toConnection, type Viewer } from '@flow/core';
import type { Invoice, InvoiceStatus, Prisma } from '../generated/prisma/client';
import type { PaymentsPrisma } from '../db';
import type { ServiceContext } from './context';
import { assertCan, canSee, needsAssignedDriver, visibleWhere } from './policy';

// Invoices are opened, captured and voided with their payment (PaymentService); here they are
// listed and settled.
export class InvoiceService {
  constructor(private readonly prisma: PaymentsPrisma) {}

  /**
   * Invoices of the caller's organization, as payer or payee, newest first; a driver's: only those
   * of the orders assigned to them (canSee's rule, as a query).
   */
  async list(
    ctx: ServiceContext,
    args: { status?: InvoiceStatus | null; first?: number | null; after?: string | null },
  ) {
    const viewer = ctx.viewer;
    if (!viewer) throw errors.unauthenticated();
    const size = pageSize(args.first);
    const cursor = decodeCursor(args.after);
    const where: Prisma.InvoiceWhereInput = {
      ...(await this.visibleTo(viewer)),
      ...(args.status ? { status: args.status } : {}),
    };
    const page: Prisma.InvoiceWhereInput = cursor
      ? {
          AND: [
            where,
            {
              OR: [
                { issuedAt: { lt: new Date(cursor.at) } },
                { issuedAt: new Date(cursor.at), id: { lt: cursor.id } },
              ],
            },
          ],
        }
      : where;
    const [rows, total] = await Promise.all([
      this.prisma.invoice.findMany({
        where: page,
        orderBy: [{ issuedAt: 'desc' }, { id: 'desc' }],
        take: size + 1,
      }),
      this.prisma.invoice.count({ where }),
    ]);
    return toConnection<Invoice>(
      rows,
      size,
      total,
      (i) => ({ at: i.issuedAt.toISOString(), id: i.id }),
      !!cursor,
    );
  }

  /** canSee's rule as a query; a driver's assigned orders in one statement however many. */
  private async visibleTo(viewer: Viewer): Promise<Prisma.InvoiceWhereInput> {
    const assigned = needsAssignedDriver(viewer)
      ? await this.prisma.orderDriver.findMany({
          where: { driverId: viewer.userId },
          select: { orderId: true },
        })
      : [];
    return visibleWhere(
      viewer,
      assigned.map((row) => row.orderId),
    );
  }

  /**
   * OPEN -> PAID once the order is delivered (payment captured). Paying an invoice whose payment
   * is still INVOICED is refused, so a PAID invoice can never be voided by a later cancel: capture
   * and void are compare-and-set on the payment, and this checks the payment in the same UPDATE.
   */
  async markPaid(ctx: ServiceContext, invoiceId: string): Promise<Invoice> {
    const id = requireUuid(invoiceId, 'invoiceId');
    const invoice = await this.prisma.invoice.findUnique({
      where: { id },
      include: { payment: { select: { orderId: true } } },
    });
    const driverId =
      invoice && needsAssignedDriver(ctx.viewer)
        ? await ctx.loaders.driverByOrderId.load(invoice.payment.orderId)
        : null;
    if (!invoice || !canSee(ctx, invoice, driverId)) throw errors.notFound('Invoice', id);
    assertCan.markInvoicePaid(ctx, invoice.payeeOrganizationId);
    const paid = await this.prisma.$transaction(async (tx) => {
      const changed = await tx.$executeRaw`
        UPDATE invoices SET status = 'PAID', paid_at = now()
        WHERE id = ${id}::uuid AND status = 'OPEN' AND EXISTS (
          SELECT 1 FROM payments WHERE payments.id = invoices.payment_id
            AND payments.status IN ('CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED'))`;
      if (changed === 0) return null;
      const updated = await tx.invoice.findUniqueOrThrow({ where: { id } });
      const payment = await tx.payment.findUniqueOrThrow({ where: { id: updated.paymentId } });
      await recordEvent(
        tx,
        'invoice.paid',
        {
          invoiceId: updated.id,
          number: updated.number,
          paymentId: payment.id,
          orderId: payment.orderId,
          amountMinor: updated.amountMinor,
          refundedMinor: payment.refundedMinor,
          currency: updated.currency,
          paidAt: updated.paidAt!.toISOString(),
        },
        {
          actor: ctx.viewer?.userId ?? null,
          organizationIds: [updated.payerOrganizationId, updated.payeeOrganizationId],
        },
      );
      return updated;
    });
    if (paid) return paid;
    const current = await this.prisma.invoice.findUniqueOrThrow({
      where: { id },
      include: { payment: true },
    });
    if (current.status === 'PAID') return current;
    if (current.status === 'VOID')
      throw errors.conflict('A VOID invoice cannot be paid.', { status: current.status });
    throw errors.conflict('The invoice is not due before the order is delivered.', {
      status: current.status,
      paymentStatus: current.payment.status,
    });
  }
}
