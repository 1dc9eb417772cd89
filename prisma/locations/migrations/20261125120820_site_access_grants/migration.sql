-- CreateTable
CREATE TABLE "site_access_grants" (
    "site_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "granted_by_service" TEXT,
    "granted_by_user_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "site_access_grants_pkey" PRIMARY KEY ("site_id","organization_id")
);

-- CreateIndex
CREATE INDEX "site_access_grants_organization_id_idx" ON "site_access_grants"("organization_id");

-- AddForeignKey
ALTER TABLE "site_access_grants" ADD CONSTRAINT "site_access_grants_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "sites"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written (schema.prisma cannot say it; listed in drift-allowlist.txt): every grant names
-- who made it, a service, a user, or both.
ALTER TABLE "site_access_grants" ADD CONSTRAINT "site_access_grants_grantor_check" CHECK ("granted_by_service" IS NOT NULL OR "granted_by_user_id" IS NOT NULL);
