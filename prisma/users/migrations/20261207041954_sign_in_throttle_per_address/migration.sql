-- AlterTable
ALTER TABLE "users" DROP COLUMN "failed_login_count",
DROP COLUMN "locked_until";

-- CreateTable
CREATE TABLE "login_address_throttles" (
    "email" TEXT NOT NULL,
    "address_key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "login_address_throttles_pkey" PRIMARY KEY ("email","address_key")
);

-- CreateTable
CREATE TABLE "login_account_budgets" (
    "email" TEXT NOT NULL,
    "window_started_at" TIMESTAMPTZ(3) NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "login_account_budgets_pkey" PRIMARY KEY ("email")
);

-- CreateIndex
CREATE INDEX "login_address_throttles_updated_at_idx" ON "login_address_throttles"("updated_at");

-- CreateIndex
CREATE INDEX "login_account_budgets_window_started_at_idx" ON "login_account_budgets"("window_started_at");
