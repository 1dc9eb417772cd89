import { entitiesOf } from '@flow/core';
import { withoutDeadline, type CallContext, type SubgraphClient } from '@flow/subgraph-kit';
import {
  OrdersAuthorizeDocument,
  OrdersCaptureDocument,
  OrdersPaymentOfOrderDocument,
  OrdersRefundDocument,
  OrdersVoidDocument,
} from '../../generated/clients/payments';
import type { AuthorizeRequest, PaymentSteps } from '../../services/dependencies';

/** payments, as the order saga and settlement move an order's money. */
export class PaymentsClient implements PaymentSteps {
  constructor(private readonly payments: SubgraphClient) {}

  async authorizePayment(ctx: CallContext, request: AuthorizeRequest, idempotencyKey: string) {
    // Sent once: a lost answer fails the placement, whose compensation voids whatever payment
    // exists (paymentOfOrder). A retry would meet the first attempt still in progress under the
    // same key, and the placement's worst case counts one payments timeout (placementWorstCaseMs).
    const data = await this.payments.once(ctx, OrdersAuthorizeDocument, {
      input: request,
      key: idempotencyKey,
    });
    return data.authorizePayment;
  }

  async paymentOfOrder(ctx: CallContext, orderId: string) {
    const data = await this.payments.idempotent(ctx, OrdersPaymentOfOrderDocument, {
      representations: [{ __typename: 'Order', id: orderId }],
    });
    const [order] = entitiesOf('Order', data._entities);
    return order?.payment ?? null;
  }

  // Capture, void and refund run under idempotency keys in payments: a retry replays the first
  // answer. They run under withoutDeadline, like every saga step.
  async capturePayment(ctx: CallContext, paymentId: string, idempotencyKey: string) {
    const data = await this.payments.idempotent(withoutDeadline(ctx), OrdersCaptureDocument, {
      paymentId,
      key: idempotencyKey,
    });
    return data.capturePayment;
  }

  async voidPayment(ctx: CallContext, paymentId: string, idempotencyKey: string) {
    const data = await this.payments.idempotent(withoutDeadline(ctx), OrdersVoidDocument, {
      paymentId,
      key: idempotencyKey,
    });
    return data.voidPayment;
  }

  async refundPayment(
    ctx: CallContext,
    paymentId: string,
    amount: { amountMinor: number; currency: string },
    reason: string,
    idempotencyKey: string,
  ) {
    const data = await this.payments.idempotent(withoutDeadline(ctx), OrdersRefundDocument, {
      paymentId,
      amount,
      reason,
      key: idempotencyKey,
    });
    return data.refundPayment;
  }
}
