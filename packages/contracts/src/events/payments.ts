// Written by payments (services/payment-service.ts, invoice-service.ts): a payment event carries
// the payment as it is after the change.
import { z } from 'zod';
import { anyText, currency, integer, text, timestamp, uuid } from './fields';

const payment = {
  paymentId: uuid(),
  orderId: uuid(),
  /** The hospital that pays. */
  payerOrganizationId: uuid(),
  /** The vendor that is paid. */
  payeeOrganizationId: uuid(),
  /** AUTHORIZED, INVOICED, CAPTURED, VOIDED, FAILED, PARTIALLY_REFUNDED, REFUNDED. */
  status: anyText(),
  /** CARD or INVOICE. */
  method: anyText(),
  amountMinor: integer(),
  capturedMinor: integer(),
  refundedMinor: integer(),
  currency: currency(),
  /** card_declined, provider_timeout, provider_error, ...; null unless FAILED. */
  failureReason: anyText().nullable(),
};

export const paymentSnapshot = z.object(payment);
export type PaymentSnapshot = z.input<typeof paymentSnapshot>;

export const paymentEventSchemas = {
  'payment.authorized': z.object(payment),
  'payment.captured': z.object(payment),
  'payment.voided': z.object(payment),
  'payment.failed': z.object(payment),
  /** Here `amountMinor` is the amount of this refund; `refundedMinor` the payment's total refunded. */
  'payment.refunded': z.object({ ...payment, refundId: uuid() }),
  'invoice.paid': z.object({
    invoiceId: uuid(),
    number: text(40),
    paymentId: uuid(),
    orderId: uuid(),
    amountMinor: integer(),
    refundedMinor: integer(),
    currency: currency(),
    paidAt: timestamp(),
  }),
};
