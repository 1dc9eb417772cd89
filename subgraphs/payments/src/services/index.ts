import type { Logger } from '@flow/core';
import type { PaymentsPrisma } from '../db';
import { IdempotencyKeys } from '@flow/core';
import { InvoiceService } from './invoice-service';
import { OrderDrivers } from './order-drivers';
import { PaymentService } from './payment-service';
import type { PaymentProvider } from './provider';

export interface PaymentsServices {
  payments: PaymentService;
  invoices: InvoiceService;
  keys: IdempotencyKeys;
  /** Consumes the orders events: which driver each order is assigned to. */
  orderDrivers: OrderDrivers;
}

export interface PaymentsServicesOptions {
  prisma: PaymentsPrisma;
  provider: PaymentProvider;
  platformCurrency: string;
  providerTimeoutMs: number;
  logger: Logger;
}

export function createPaymentsServices(options: PaymentsServicesOptions): PaymentsServices {
  // Copies of a request wait as long as the first may take at the provider, plus a margin.
  const keys = new IdempotencyKeys(options.prisma, { waitMs: options.providerTimeoutMs + 5000 });
  return {
    keys,
    orderDrivers: new OrderDrivers(options.prisma, options.logger.child({ service: 'order-drivers' })),
    invoices: new InvoiceService(options.prisma),
    payments: new PaymentService({ ...options, keys, logger: options.logger.child({ service: 'payments' }) }),
  };
}
