import DataLoader from 'dataloader';
import { isUuid } from '@flow/platform';
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

function valid(keys: readonly string[]): string[] {
  return [...new Set(keys.filter(isUuid).map((k) => k.toLowerCase()))];
}

export function createLoaders(prisma: PaymentsPrisma): Loaders {
  return {
    paymentById: new DataLoader(async (keys) => {
      const ids = valid(keys);
      const rows = ids.length ? await prisma.payment.findMany({ where: { id: { in: ids } } }) : [];
      const found = new Map(rows.map((row) => [row.id, row]));
      return keys.map((k) => found.get(k.toLowerCase()) ?? null);
    }),
    refundsByPaymentId: new DataLoader(async (keys) => {
      const ids = valid(keys);
      const rows = ids.length
        ? await prisma.refund.findMany({
            where: { paymentId: { in: ids } },
            orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          })
        : [];
      return keys.map((k) => rows.filter((row) => row.paymentId === k.toLowerCase()));
    }),
    invoiceByPaymentId: new DataLoader(async (keys) => {
      const ids = valid(keys);
      const rows = ids.length ? await prisma.invoice.findMany({ where: { paymentId: { in: ids } } }) : [];
      const found = new Map(rows.map((row) => [row.paymentId, row]));
      return keys.map((k) => found.get(k.toLowerCase()) ?? null);
    }),
    paymentByOrderId: new DataLoader(async (keys) => {
      const ids = valid(keys);
      // Newest first, so the first row seen of an order is its latest attempt.
      const rows = ids.length
        ? await prisma.payment.findMany({
            where: { orderId: { in: ids } },
            orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          })
        : [];
      const chosen = new Map<string, Payment>();
      for (const row of rows) {
        const current = chosen.get(row.orderId);
        if (!current || (current.status === 'FAILED' && row.status !== 'FAILED'))
          chosen.set(row.orderId, row);
      }
      return keys.map((k) => chosen.get(k.toLowerCase()) ?? null);
    }),
    driverByOrderId: new DataLoader(async (keys) => {
      const ids = valid(keys);
      const rows = ids.length ? await prisma.orderDriver.findMany({ where: { orderId: { in: ids } } }) : [];
      const found = new Map(rows.map((row) => [row.orderId, row.driverId]));
      return keys.map((k) => found.get(k.toLowerCase()) ?? null);
    }),
  };
}
