import { DateTime } from '@flow/core';
import type { Resolvers } from '../generated/resolvers-types';

const money = (amountMinor: number, currency: string) => ({ amountMinor, currency });

export const resolvers: Resolvers = {
  DateTime,
  Query: {
    payment: (_, { id }, ctx) => ctx.services.payments.payment(ctx, id),
    invoices: (_, args, ctx) => ctx.services.invoices.list(ctx, args),
  },
  Mutation: {
    authorizePayment: (_, { input, idempotencyKey }, ctx) =>
      ctx.services.payments.authorize(ctx, input, idempotencyKey),
    capturePayment: (_, { paymentId, idempotencyKey }, ctx) =>
      ctx.services.payments.capture(ctx, paymentId, idempotencyKey),
    voidPayment: (_, { paymentId, idempotencyKey }, ctx) =>
      ctx.services.payments.void(ctx, paymentId, idempotencyKey),
    refundPayment: (_, args, ctx) => ctx.services.payments.refund(ctx, args),
    markInvoicePaid: (_, { invoiceId }, ctx) => ctx.services.invoices.markPaid(ctx, invoiceId),
  },
  Order: {
    // Orders are the orders subgraph's: here an order is only the key its payment is found by.
    __resolveReference: (ref) => ({ id: ref.id }),
    payment: (order, _, ctx) => ctx.services.payments.paymentOfOrder(ctx, order.id),
  },
  Payment: {
    __resolveReference: (ref, ctx) => ctx.services.payments.visiblePayment(ctx, ref.id),
    amount: (p) => money(p.amountMinor, p.currency),
    capturedAmount: (p) => money(p.capturedMinor, p.currency),
    refundedAmount: (p) => money(p.refundedMinor, p.currency),
    refunds: (p, _, ctx) => ctx.loaders.refundsByPaymentId.load(p.id),
    invoice: (p, _, ctx) => ctx.loaders.invoiceByPaymentId.load(p.id),
  },
  Refund: {
    amount: (r) => money(r.amountMinor, r.currency),
  },
  Invoice: {
    amount: (i) => money(i.amountMinor, i.currency),
    payment: (i, _, ctx) => ctx.services.payments.payment(ctx, i.paymentId),
  },
};
