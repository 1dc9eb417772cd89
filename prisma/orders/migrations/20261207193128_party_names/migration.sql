-- CreateEnum
CREATE TYPE "PartyKind" AS ENUM ('ORGANIZATION', 'SITE');

-- CreateTable
CREATE TABLE "party_names" (
    "id" UUID NOT NULL,
    "kind" "PartyKind" NOT NULL,
    "name" TEXT NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "party_names_pkey" PRIMARY KEY ("id")
);
