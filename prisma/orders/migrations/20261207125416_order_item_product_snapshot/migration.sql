-- AlterTable
ALTER TABLE "order_items" ADD COLUMN     "product_name" TEXT,
ADD COLUMN     "product_sku" TEXT;

-- Hand-written. The lines still without a snapshot (held before these columns existed), for the
-- orders backfill job (ProductSnapshotBackfill): it asks inventory for each product's name and
-- SKU through one held line of it, so no migration reads inventory's tables. The index empties
-- as the job fills the lines; new lines get their snapshot when their stock is held.
CREATE INDEX "order_items_without_product_snapshot" ON "order_items" ("product_id")
  WHERE "product_name" IS NULL;
