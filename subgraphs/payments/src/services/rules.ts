import { GraphQLError } from 'graphql';
import { defineStateMachine, ErrorCode, errors } from '@flow/core';
import type { PaymentStatus } from '../generated/prisma/client';

// The payment state machine and refund arithmetic, pure so they are unit-tested on their own.

/**
 * CARD: AUTHORIZED -> CAPTURED -> PARTIALLY_REFUNDED -> REFUNDED, AUTHORIZED -> VOIDED.
 * INVOICE: INVOICED -> CAPTURED (at delivery: the amount is owed, the invoice stays OPEN until
 * markInvoicePaid) or VOIDED (invoice VOID). FAILED is terminal. A provider refund that fails gives
 * its amount back (PaymentService.releaseRefund): a compensation, not a move of its own.
 */
export const paymentStatus = defineStateMachine<PaymentStatus>(
  {
    AUTHORIZED: ['CAPTURED', 'VOIDED'],
    INVOICED: ['CAPTURED', 'VOIDED'],
    CAPTURED: ['PARTIALLY_REFUNDED', 'REFUNDED'],
    PARTIALLY_REFUNDED: ['PARTIALLY_REFUNDED', 'REFUNDED'],
    REFUNDED: [],
    VOIDED: [],
    FAILED: [],
  },
  {
    // CAPTURED -> "captured", REFUNDED -> "refunded": the attempted status reads as the verb.
    refuse: (status, attempted) =>
      errors.conflict(`A ${status} payment cannot be ${attempted.toLowerCase()}.`, { status }),
  },
);

/** Where a payment may be for each move: the compare-and-set conditions of the updates. */
export const CAPTURABLE = paymentStatus.sources('CAPTURED');
export const VOIDABLE = paymentStatus.sources('VOIDED');

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
    extensions: { code: ErrorCode.PAYMENT_DECLINED, reason, paymentId },
  });
}

/** INV-2026-000123: the year and the year's counter. */
export function invoiceNumber(year: number, sequence: number): string {
  return `INV-${year}-${String(sequence).padStart(6, '0')}`;
}
