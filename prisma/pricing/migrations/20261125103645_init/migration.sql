-- CreateTable
CREATE TABLE "price_list_entries" (
    "id" UUID NOT NULL,
    "vendor_organization_id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "unit_price_minor" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "price_list_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "price_tiers" (
    "entry_id" UUID NOT NULL,
    "min_quantity" INTEGER NOT NULL,
    "unit_price_minor" INTEGER NOT NULL,

    CONSTRAINT "price_tiers_pkey" PRIMARY KEY ("entry_id","min_quantity")
);

-- CreateTable
CREATE TABLE "delivery_terms" (
    "vendor_organization_id" UUID NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "base_fee_minor" INTEGER NOT NULL,
    "per_km_fee_minor" INTEGER NOT NULL,
    "urgent_surcharge_minor" INTEGER NOT NULL DEFAULT 0,
    "emergency_surcharge_minor" INTEGER NOT NULL,
    "max_distance_km" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "delivery_terms_pkey" PRIMARY KEY ("vendor_organization_id")
);

-- CreateIndex
CREATE INDEX "price_list_entries_product_id_idx" ON "price_list_entries"("product_id");

-- CreateIndex
CREATE INDEX "price_list_entries_created_at_id_idx" ON "price_list_entries"("created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "price_list_entries_vendor_organization_id_product_id_key" ON "price_list_entries"("vendor_organization_id", "product_id");

-- AddForeignKey
ALTER TABLE "price_tiers" ADD CONSTRAINT "price_tiers_entry_id_fkey" FOREIGN KEY ("entry_id") REFERENCES "price_list_entries"("id") ON DELETE CASCADE ON UPDATE CASCADE;
