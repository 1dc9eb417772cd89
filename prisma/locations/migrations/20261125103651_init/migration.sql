-- CreateEnum
CREATE TYPE "SiteKind" AS ENUM ('HOSPITAL_SITE', 'DEPOT');

-- CreateEnum
CREATE TYPE "PositionSource" AS ENUM ('GIVEN', 'GEOCODED');

-- CreateTable
CREATE TABLE "sites" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "SiteKind" NOT NULL,
    "address_line1" TEXT NOT NULL,
    "address_city" TEXT NOT NULL,
    "address_region" TEXT,
    "address_postal_code" TEXT,
    "address_country" VARCHAR(2) NOT NULL,
    "lat" DOUBLE PRECISION NOT NULL,
    "lng" DOUBLE PRECISION NOT NULL,
    "position_source" "PositionSource" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sites_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "sites_organization_id_kind_created_at_id_idx" ON "sites"("organization_id", "kind", "created_at", "id");

-- CreateIndex
CREATE INDEX "sites_kind_lat_lng_idx" ON "sites"("kind", "lat", "lng");

-- CreateIndex
CREATE UNIQUE INDEX "sites_organization_id_name_key" ON "sites"("organization_id", "name");
