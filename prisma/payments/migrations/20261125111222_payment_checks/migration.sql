-- Hand-written: what schema.prisma cannot express. The database itself refuses to refund more
-- than was captured, to capture more than was authorised, or to hold two live payments per order.

ALTER TABLE "payments" ADD CONSTRAINT "payments_amounts_check"
  CHECK ("amount_minor" > 0 AND "captured_minor" >= 0 AND "captured_minor" <= "amount_minor"
         AND "refunded_minor" >= 0 AND "refunded_minor" <= "captured_minor");

-- A declined or timed-out attempt (FAILED) does not stop the order from being paid another way.
CREATE UNIQUE INDEX "payments_live_order_id_key" ON "payments" ("order_id") WHERE "status" <> 'FAILED';

ALTER TABLE "refunds" ADD CONSTRAINT "refunds_amount_check" CHECK ("amount_minor" > 0);
