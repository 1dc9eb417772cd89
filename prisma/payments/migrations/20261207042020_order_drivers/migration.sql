-- CreateTable
CREATE TABLE "order_drivers" (
    "order_id" UUID NOT NULL,
    "driver_id" UUID,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "event_id" UUID NOT NULL,

    CONSTRAINT "order_drivers_pkey" PRIMARY KEY ("order_id")
);

-- CreateIndex
CREATE INDEX "order_drivers_driver_id_idx" ON "order_drivers"("driver_id");
