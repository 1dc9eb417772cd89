-- Hand-written: what schema.prisma cannot express. The database itself refuses an order whose
-- money does not add up, a line without units, or two live orders under one idempotency key.

ALTER TABLE "orders" ADD CONSTRAINT "orders_amounts_check"
  CHECK ("subtotal_minor" >= 0 AND "delivery_fee_minor" >= 0
         AND "total_minor" = "subtotal_minor" + "delivery_fee_minor");

ALTER TABLE "order_items" ADD CONSTRAINT "order_items_amounts_check"
  CHECK ("quantity" > 0 AND "unit_price_minor" >= 0
         AND "line_total_minor" = "unit_price_minor" * "quantity");

-- A failed placement frees its key: a retry with the same key may place a new order.
CREATE UNIQUE INDEX "orders_live_idempotency_key" ON "orders" ("hospital_organization_id", "idempotency_key")
  WHERE "status" <> 'FAILED';
