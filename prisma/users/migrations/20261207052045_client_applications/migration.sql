-- CreateEnum
CREATE TYPE "ClientApplicationStatus" AS ENUM ('ACTIVE', 'REVOKED');

-- CreateTable
CREATE TABLE "client_applications" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "scopes" TEXT[],
    "status" "ClientApplicationStatus" NOT NULL DEFAULT 'ACTIVE',
    "created_by" UUID,
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_by" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "client_applications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "client_secrets" (
    "id" UUID NOT NULL,
    "client_application_id" UUID NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "client_secrets_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "client_applications_name_key" ON "client_applications"("name");

-- CreateIndex
CREATE INDEX "client_applications_organization_id_created_at_id_idx" ON "client_applications"("organization_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "client_applications_created_at_id_idx" ON "client_applications"("created_at", "id");

-- CreateIndex
CREATE INDEX "client_applications_status_revoked_at_idx" ON "client_applications"("status", "revoked_at");

-- CreateIndex
CREATE UNIQUE INDEX "client_secrets_secret_hash_key" ON "client_secrets"("secret_hash");

-- CreateIndex
CREATE INDEX "client_secrets_client_application_id_idx" ON "client_secrets"("client_application_id");

-- AddForeignKey
ALTER TABLE "client_applications" ADD CONSTRAINT "client_applications_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_secrets" ADD CONSTRAINT "client_secrets_client_application_id_fkey" FOREIGN KEY ("client_application_id") REFERENCES "client_applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;
