import { GraphQLError } from 'graphql';
import { errors } from '@flow/platform';
import type { PaymentStatus } from '../generated/prisma/client';

// The payment state machine and refund arithmetic, pure so they are unit-tested on their own.
// CARD: AUTHORIZED -> CAPTURED -> PARTIALLY_REFUNDED -> REFUNDED, AUTHORIZED -> VOIDED.
// INVOICE: INVOICED -> CAPTURED (at delivery: the amount is owed, the invoice stays OPEN until
// markInvoicePaid) or VOIDED (invoice VOID). FAILED is terminal.

export const CAPTURABLE: readonly PaymentStatus[] = ['AUTHORIZED', 'INVOICED'];
export const VOIDABLE: readonly PaymentStatus[] = ['AUTHORIZED', 'INVOICED'];
export const REFUNDABLE: readonly PaymentStatus[] = ['CAPTURED', 'PARTIALLY_REFUNDED'];

export function requireTransition(
  status: PaymentStatus,
  allowed: readonly PaymentStatus[],
  action: string,
): void {
  if (!allowed.includes(status))
    throw errors.conflict(`A ${status} payment cannot be ${action}.`, { status });
}

/** The status after refunds adding up to `refundedMinor` of `capturedMinor`. */
export function statusAfterRefund(capturedMinor: number, refundedMinor: number): PaymentStatus {
  return refundedMinor >= capturedMinor ? 'REFUNDED' : refundedMinor > 0 ? 'PARTIALLY_REFUNDED' : 'CAPTURED';
}

/** Refuses a refund that would take the total refunded past what was captured. */
export function requireRefundable(capturedMinor: number, refundedMinor: number, amountMinor: number): void {
  const remainingMinor = capturedMinor - refundedMinor;
  if (amountMinor > remainingMinor)
    throw errors.conflict(`Only ${remainingMinor} (minor units) of this payment can still be refunded.`, {
      remainingMinor,
    });
}

/** Checks a money input: a positive whole amount in the platform's currency. */
export function requireAmount(
  amount: { amountMinor: number; currency: string },
  field: string,
  currency: string,
): { amountMinor: number; currency: string } {
  if (!Number.isInteger(amount.amountMinor) || amount.amountMinor <= 0)
    throw errors.badUserInput(
      `${field}.amountMinor`,
      'The amount must be a positive whole number of minor units.',
    );
  if (amount.currency !== currency)
    throw errors.badUserInput(`${field}.currency`, `Payments are in ${currency}.`);
  return { amountMinor: amount.amountMinor, currency };
}

export function paymentDeclined(reason: string, paymentId: string): GraphQLError {
  return new GraphQLError('The payment provider declined the payment.', {
    extensions: { code: 'PAYMENT_DECLINED', reason, paymentId },
  });
}

/** INV-2026-000123: the year and the year's counter. */
export function invoiceNumber(year: number, sequence: number): string {
  return `INV-${year}-${String(sequence).padStart(6, '0')}`;
}
