-- CreateTable
CREATE TABLE "audit_events" (
    "id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "actor" TEXT,
    "organization_ids" UUID[],
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "data" JSONB NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_facts" (
    "order_id" UUID NOT NULL,
    "number" TEXT NOT NULL,
    "hospital_organization_id" UUID NOT NULL,
    "vendor_organization_id" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "status_rank" INTEGER NOT NULL,
    "total_minor" INTEGER,
    "currency" TEXT,
    "placed_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "order_facts_pkey" PRIMARY KEY ("order_id")
);

-- CreateTable
CREATE TABLE "placement_failures" (
    "event_id" UUID NOT NULL,
    "order_id" UUID,
    "hospital_organization_id" UUID NOT NULL,
    "failure_code" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "placement_failures_pkey" PRIMARY KEY ("event_id")
);

-- CreateIndex
CREATE INDEX "audit_events_occurred_at_id_idx" ON "audit_events"("occurred_at", "id");

-- CreateIndex
CREATE INDEX "audit_events_type_occurred_at_idx" ON "audit_events"("type", "occurred_at");

-- CreateIndex
CREATE INDEX "audit_events_actor_occurred_at_idx" ON "audit_events"("actor", "occurred_at");

-- CreateIndex
CREATE INDEX "audit_events_organization_ids_idx" ON "audit_events" USING GIN ("organization_ids");

-- CreateIndex
CREATE INDEX "order_facts_placed_at_idx" ON "order_facts"("placed_at");

-- CreateIndex
CREATE INDEX "order_facts_vendor_organization_id_placed_at_idx" ON "order_facts"("vendor_organization_id", "placed_at");

-- CreateIndex
CREATE INDEX "placement_failures_failure_code_occurred_at_idx" ON "placement_failures"("failure_code", "occurred_at");
