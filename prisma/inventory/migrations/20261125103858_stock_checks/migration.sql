-- Hand-written: invariants schema.prisma cannot express. The database itself refuses any write
-- that would oversell or go negative, whatever the application does (listed in
-- prisma/inventory/drift-allowlist.txt so the drift test expects them).

-- Never more reserved than on hand, never negative: available (on_hand - reserved) >= 0.
ALTER TABLE "stock_levels" ADD CONSTRAINT "stock_levels_quantities_check"
  CHECK ("on_hand" >= 0 AND "reserved" >= 0 AND "reserved" <= "on_hand");

ALTER TABLE "stock_levels" ADD CONSTRAINT "stock_levels_reorder_level_check"
  CHECK ("reorder_level" >= 0);

-- A reservation holds at least one unit.
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_quantity_check"
  CHECK ("quantity" > 0);
