import { randomUUID } from 'node:crypto';
import { recordEvent, type PaymentSnapshot } from '@flow/contracts';
import { errors, requireOneOf, requireText, requireUuid, type Logger } from '@flow/core';
import type { Payment, Prisma } from '../generated/prisma/client';
import type { AuthorizePaymentInput, MoneyInput } from '../generated/resolvers-types';
import type { PaymentsPrisma } from '../db';
import type { IdempotencyKeys } from '@flow/core';
import type { ServiceContext } from './context';
import { assertCan, canSee, needsAssignedDriver } from './policy';
import { ProviderTimeout, withDeadline, type PaymentProvider } from './provider';
import {
  CAPTURABLE,
  VOIDABLE,
  invoiceNumber,
  paymentDeclined,
  paymentStatus,
  requireAmount,
  requireRefundable,
} from './rules';
import { isUniqueViolation } from '@flow/subgraph-kit';

const INVOICE_DUE_DAYS = 30;

export interface PaymentServiceOptions {
  prisma: PaymentsPrisma;
  provider: PaymentProvider;
  keys: IdempotencyKeys;
  platformCurrency: string;
  providerTimeoutMs: number;
  logger: Logger;
}

type Tx = Prisma.TransactionClient;

/** The events of a payment that carry nothing but the payment itself. */
type PaymentEventType = 'payment.authorized' | 'payment.captured' | 'payment.voided' | 'payment.failed';

/** The payment as every event about it carries it, after the change. */
const paymentSnapshot = (payment: Payment): PaymentSnapshot => ({
  paymentId: payment.id,
  orderId: payment.orderId,
  payerOrganizationId: payment.payerOrganizationId,
  payeeOrganizationId: payment.payeeOrganizationId,
  status: payment.status,
  method: payment.method,
  amountMinor: payment.amountMinor,
  capturedMinor: payment.capturedMinor,
  refundedMinor: payment.refundedMinor,
  currency: payment.currency,
  failureReason: payment.failureReason,
});

const eventMeta = (ctx: ServiceContext, payment: Payment) => ({
  actor: ctx.viewer?.userId ?? null,
  organizationIds: [payment.payerOrganizationId, payment.payeeOrganizationId],
});

export class PaymentService {
  constructor(private readonly options: PaymentServiceOptions) {}

  private get prisma() {
    return this.options.prisma;
  }

  /** A payment the caller may read; NOT_FOUND otherwise, with no hint that it exists. */
  async payment(ctx: ServiceContext, id: string): Promise<Payment> {
    const payment = await this.visiblePayment(ctx, id);
    if (!payment) throw errors.notFound('Payment', id);
    return payment;
  }

  /** For __resolveReference and Invoice.payment: null when missing or not the caller's to see. */
  async visiblePayment(ctx: ServiceContext, id: string): Promise<Payment | null> {
    return this.readable(ctx, await ctx.loaders.paymentById.load(id));
  }

  /** Order.payment: the order's live payment or latest attempt, null when not the caller's to see. */
  async paymentOfOrder(ctx: ServiceContext, orderId: string): Promise<Payment | null> {
    return this.readable(ctx, await ctx.loaders.paymentByOrderId.load(orderId));
  }

  /** Every read path ends here; a driver's costs one batched lookup of the orders' drivers. */
  private async readable(ctx: ServiceContext, payment: Payment | null): Promise<Payment | null> {
    if (!payment) return null;
    const driverId = needsAssignedDriver(ctx.viewer)
      ? await ctx.loaders.driverByOrderId.load(payment.orderId)
      : null;
    return canSee(ctx, payment, driverId) ? payment : null;
  }

  async authorize(
    ctx: ServiceContext,
    input: AuthorizePaymentInput,
    idempotencyKey: string,
  ): Promise<Payment> {
    // First: a forged call learns nothing, not even which of its inputs would be refused.
    assertCan.authorize(ctx);
    const orderId = requireUuid(input.orderId, 'input.orderId');
    const payerOrganizationId = requireUuid(input.payerOrganizationId, 'input.payerOrganizationId');
    const payeeOrganizationId = requireUuid(input.payeeOrganizationId, 'input.payeeOrganizationId');
    const amount = requireAmount(input.amount, 'input.amount', this.options.platformCurrency);
    const method = requireOneOf(input.method, ['CARD', 'INVOICE'] as const, 'input.method');
    const cardToken =
      method === 'CARD' ? requireText(input.cardToken ?? '', 'input.cardToken', { min: 1, max: 200 }) : null;
    const purchaseOrderNumber =
      method === 'INVOICE'
        ? requireText(input.purchaseOrderNumber ?? '', 'input.purchaseOrderNumber', { min: 1, max: 100 })
        : null;
    const fields = {
      orderId,
      payerOrganizationId,
      payeeOrganizationId,
      amount,
      method,
      cardToken,
      purchaseOrderNumber,
    };

    const id = await this.options.keys.run('authorizePayment', idempotencyKey, fields, async () => {
      const live = await this.prisma.payment.findFirst({ where: { orderId, status: { not: 'FAILED' } } });
      if (live) throw errors.conflict('This order already has a payment.');
      const base = {
        orderId,
        payerOrganizationId,
        payeeOrganizationId,
        method,
        amountMinor: amount.amountMinor,
        currency: amount.currency,
      };
      if (method === 'INVOICE') return this.openInvoice(ctx, base, purchaseOrderNumber!);
      return this.authorizeCard(ctx, base, cardToken!);
    });
    return this.fresh(id);
  }

  private async openInvoice(
    ctx: ServiceContext,
    base: Omit<Prisma.PaymentUncheckedCreateInput, 'status'>,
    purchaseOrderNumber: string,
  ): Promise<string> {
    return this.live(() =>
      this.prisma.$transaction(async (tx) => {
        const payment = await tx.payment.create({ data: { ...base, status: 'INVOICED' } });
        const issuedAt = new Date();
        const year = issuedAt.getUTCFullYear();
        // The counter row is locked by the upsert until commit: numbers are unique and gapless.
        const [counter] = await tx.$queryRaw<{ last: number }[]>`
          INSERT INTO invoice_counters (year, last) VALUES (${year}, 1)
          ON CONFLICT (year) DO UPDATE SET last = invoice_counters.last + 1 RETURNING last`;
        await tx.invoice.create({
          data: {
            paymentId: payment.id,
            number: invoiceNumber(year, counter!.last),
            status: 'OPEN',
            payerOrganizationId: payment.payerOrganizationId,
            payeeOrganizationId: payment.payeeOrganizationId,
            amountMinor: payment.amountMinor,
            currency: payment.currency,
            purchaseOrderNumber,
            issuedAt,
            dueAt: new Date(issuedAt.getTime() + INVOICE_DUE_DAYS * 86_400_000),
          },
        });
        await this.event(tx, ctx, 'payment.authorized', payment);
        return payment.id;
      }),
    );
  }

  private async authorizeCard(
    ctx: ServiceContext,
    base: Omit<Prisma.PaymentUncheckedCreateInput, 'status'>,
    cardToken: string,
  ): Promise<string> {
    // The payment id is the provider's idempotency key: recovery finds the authorisation by it.
    const id = randomUUID();
    const { provider, providerTimeoutMs } = this.options;
    let outcome;
    try {
      outcome = await withDeadline(
        provider.authorize(base.amountMinor, base.currency, cardToken, id),
        providerTimeoutMs,
      );
    } catch (error) {
      // Outcome unknown: the provider may hold money. Record it so recovery voids it.
      const failureReason = error instanceof ProviderTimeout ? 'provider_timeout' : 'provider_error';
      this.options.logger.warn({ err: error, paymentId: id }, 'card authorisation outcome unknown');
      await this.record(
        ctx,
        { ...base, id, status: 'FAILED', failureReason, voidPending: true },
        'payment.failed',
      );
      throw errors.serviceUnavailable('payment provider');
    }
    if (outcome.kind === 'invalid_token')
      throw errors.badUserInput('input.cardToken', 'The card token is not valid.');
    if (outcome.kind === 'declined') {
      await this.record(
        ctx,
        { ...base, id, status: 'FAILED', failureReason: outcome.reason },
        'payment.failed',
      );
      throw paymentDeclined(outcome.reason, id);
    }
    try {
      await this.live(() =>
        this.record(
          ctx,
          {
            ...base,
            id,
            status: 'AUTHORIZED',
            providerReference: outcome.reference,
            authorizedAt: new Date(),
          },
          'payment.authorized',
        ),
      );
    } catch (error) {
      // Another payment won the order meanwhile: release what we just held.
      await provider.void(outcome.reference, `void:${id}`);
      throw error;
    }
    return id;
  }

  async capture(ctx: ServiceContext, paymentId: string, idempotencyKey: string): Promise<Payment> {
    assertCan.settle(ctx);
    const payment = await this.payment(ctx, requireUuid(paymentId, 'paymentId'));
    const id = await this.options.keys.run(
      'capturePayment',
      idempotencyKey,
      { paymentId: payment.id },
      async () => {
        const current = await this.fresh(payment.id);
        paymentStatus.assert(current.status, 'CAPTURED');
        if (current.method === 'CARD')
          await this.atProvider(() =>
            this.options.provider.capture(
              current.providerReference!,
              current.amountMinor,
              `capture:${current.id}`,
            ),
          );
        await this.transition(ctx, current, CAPTURABLE, 'payment.captured', {
          status: 'CAPTURED',
          capturedMinor: current.amountMinor,
          capturedAt: new Date(),
        });
        return current.id;
      },
    );
    return this.fresh(id);
  }

  async void(ctx: ServiceContext, paymentId: string, idempotencyKey: string): Promise<Payment> {
    assertCan.settle(ctx);
    const payment = await this.payment(ctx, requireUuid(paymentId, 'paymentId'));
    const id = await this.options.keys.run(
      'voidPayment',
      idempotencyKey,
      { paymentId: payment.id },
      async () => {
        const current = await this.fresh(payment.id);
        paymentStatus.assert(current.status, 'VOIDED');
        if (current.method === 'CARD')
          await this.atProvider(() =>
            this.options.provider.void(current.providerReference!, `void:${current.id}`),
          );
        await this.transition(ctx, current, VOIDABLE, 'payment.voided', {
          status: 'VOIDED',
          voidedAt: new Date(),
        });
        return current.id;
      },
    );
    return this.fresh(id);
  }

  async refund(
    ctx: ServiceContext,
    args: { paymentId: string; amount: MoneyInput; reason: string; idempotencyKey: string },
  ): Promise<Payment> {
    const paymentId = requireUuid(args.paymentId, 'paymentId');
    const amount = requireAmount(args.amount, 'amount', this.options.platformCurrency);
    const reason = requireText(args.reason, 'reason', { min: 1, max: 500 });
    const payment = await this.payment(ctx, paymentId);
    assertCan.refund(ctx, payment.payeeOrganizationId);
    const fields = { paymentId, amount, reason };
    const id = await this.options.keys.run('refundPayment', args.idempotencyKey, fields, async () => {
      const refundId = randomUUID();
      await this.reserveRefund(paymentId, amount.amountMinor);
      let providerReference: string | null = null;
      try {
        if (payment.method === 'CARD')
          providerReference = (
            await this.atProvider(() =>
              this.options.provider.refund(
                payment.providerReference!,
                amount.amountMinor,
                `refund:${refundId}`,
              ),
            )
          ).reference;
      } catch (error) {
        await this.releaseRefund(paymentId, amount.amountMinor);
        throw error;
      }
      await this.prisma.$transaction(async (tx) => {
        await tx.refund.create({
          data: {
            id: refundId,
            paymentId,
            amountMinor: amount.amountMinor,
            currency: amount.currency,
            reason,
            providerReference,
          },
        });
        const updated = await tx.payment.findUniqueOrThrow({ where: { id: paymentId } });
        // amountMinor: this refund's amount (refundedMinor is the payment's total refunded).
        const data = { ...paymentSnapshot(updated), refundId, amountMinor: amount.amountMinor };
        await recordEvent(tx, 'payment.refunded', data, eventMeta(ctx, updated));
      });
      return paymentId;
    });
    return this.fresh(id);
  }

  /**
   * Adds the refund to refunded_minor in ONE conditional statement: concurrent refunds are
   * serialised by the row lock, and none can take the total past what was captured.
   */
  private async reserveRefund(paymentId: string, amountMinor: number): Promise<void> {
    const changed = await this.prisma.$executeRaw`
      UPDATE payments SET
        refunded_minor = refunded_minor + ${amountMinor},
        status = (CASE WHEN refunded_minor + ${amountMinor} = captured_minor THEN 'REFUNDED' ELSE 'PARTIALLY_REFUNDED' END)::"PaymentStatus",
        updated_at = now()
      WHERE id = ${paymentId}::uuid AND status::text IN ('CAPTURED', 'PARTIALLY_REFUNDED')
        AND refunded_minor + ${amountMinor} <= captured_minor`;
    if (changed === 1) return;
    const current = await this.fresh(paymentId);
    paymentStatus.assert(current.status, 'REFUNDED');
    requireRefundable(current.capturedMinor, current.refundedMinor, amountMinor);
    throw errors.conflict('The payment changed meanwhile. Retry.');
  }

  /** Gives back a reservation whose provider refund failed. */
  private async releaseRefund(paymentId: string, amountMinor: number): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE payments SET
        refunded_minor = refunded_minor - ${amountMinor},
        status = (CASE WHEN refunded_minor - ${amountMinor} = 0 THEN 'CAPTURED' ELSE 'PARTIALLY_REFUNDED' END)::"PaymentStatus",
        updated_at = now()
      WHERE id = ${paymentId}::uuid`;
  }

  /**
   * Voids authorisations whose outcome was unknown (the provider did not answer in time). Run
   * periodically by the app; safe to repeat (the provider is idempotent per key).
   */
  async recoverUnknownAuthorizations(): Promise<number> {
    const pending = await this.prisma.payment.findMany({ where: { voidPending: true }, take: 100 });
    let voided = 0;
    for (const payment of pending) {
      try {
        const found = await this.atProvider(() => this.options.provider.findAuthorization(payment.id));
        if (found)
          await this.atProvider(() => this.options.provider.void(found.reference, `void:${payment.id}`));
        await this.prisma.payment.update({ where: { id: payment.id }, data: { voidPending: false } });
        if (found) voided += 1;
      } catch (error) {
        this.options.logger.warn({ err: error, paymentId: payment.id }, 'recovery: will retry');
      }
    }
    return voided;
  }

  private async atProvider<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await withDeadline(call(), this.options.providerTimeoutMs);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'payment provider call failed');
      throw errors.serviceUnavailable('payment provider');
    }
  }

  /** Compare-and-set: changes the payment only if it is still in one of `from`. */
  private async transition(
    ctx: ServiceContext,
    payment: Payment,
    from: readonly Payment['status'][],
    type: PaymentEventType,
    data: Prisma.PaymentUpdateManyMutationInput,
  ): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.payment.updateMany({
        where: { id: payment.id, status: { in: [...from] } },
        data,
      });
      if (count === 0) throw errors.conflict('The payment changed meanwhile.');
      if (payment.method === 'INVOICE' && data.status === 'VOIDED') {
        const voided = await tx.invoice.updateMany({
          where: { paymentId: payment.id, status: 'OPEN' },
          data: { status: 'VOID' },
        });
        if (voided.count === 0) throw errors.conflict('The invoice is no longer open.');
      }
      await this.event(tx, ctx, type, await tx.payment.findUniqueOrThrow({ where: { id: payment.id } }));
    });
  }

  private async record(
    ctx: ServiceContext,
    data: Prisma.PaymentUncheckedCreateInput,
    type: PaymentEventType,
  ) {
    return this.prisma.$transaction(async (tx) => {
      const payment = await tx.payment.create({ data });
      await this.event(tx, ctx, type, payment);
    });
  }

  private async event(tx: Tx, ctx: ServiceContext, type: PaymentEventType, payment: Payment) {
    await recordEvent(tx, type, paymentSnapshot(payment), eventMeta(ctx, payment));
  }

  /** The unique live-payment-per-order index, raced: CONFLICT, not a leaked SQL error. */
  private async live<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error)) throw errors.conflict('This order already has a payment.');
      throw error;
    }
  }

  private fresh(id: string): Promise<Payment> {
    return this.prisma.payment.findUniqueOrThrow({ where: { id } });
  }
}
