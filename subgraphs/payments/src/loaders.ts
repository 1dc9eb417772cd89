import type DataLoader from 'dataloader';
import { batchLoader, rowByIdLoader, rowsByColumnLoader } from '@flow/subgraph-kit';
import type { Invoice, Payment, Refund } from './generated/prisma/client';
import type { PaymentsPrisma } from './db';

/** One set per request: every entity hop goes through these, so a list costs one query, not N. */
export interface Loaders {
  paymentById: DataLoader<string, Payment | null>;
  refundsByPaymentId: DataLoader<string, Refund[]>;
  invoiceByPaymentId: DataLoader<string, Invoice | null>;
  /** The order's live payment, or else its latest (FAILED) attempt. */
  paymentByOrderId: DataLoader<string, Payment | null>;
  /** The driver an order is assigned to, as the orders events said (null: none known). */
  driverByOrderId: DataLoader<string, string | null>;
}

/** An order's live payment before its FAILED attempts; newest first within each. */
const liveFirst = (rows: Payment[]) =>
  [...rows].sort((a, b) => Number(a.status === 'FAILED') - Number(b.status === 'FAILED'));

export function createLoaders(prisma: PaymentsPrisma): Loaders {
  return {
    paymentById: rowByIdLoader(prisma.payment),
    refundsByPaymentId: rowsByColumnLoader(prisma.refund, 'paymentId', [{ createdAt: 'asc' }, { id: 'asc' }]),
    invoiceByPaymentId: batchLoader(
      (ids) => prisma.invoice.findMany({ where: { paymentId: { in: ids } } }),
      (row) => row.paymentId,
    ),
    paymentByOrderId: batchLoader(
      async (ids) =>
        liveFirst(
          await prisma.payment.findMany({
            where: { orderId: { in: ids } },
            orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          }),
        ),
      (row) => row.orderId,
    ),
    driverByOrderId: batchLoader(
      (ids) => prisma.orderDriver.findMany({ where: { orderId: { in: ids } } }),
      (row) => row.orderId,
      (row) => row.driverId,
    ),
  };
}
