-- AlterTable
ALTER TABLE "Account" ADD COLUMN     "lastFollowUpAt" TIMESTAMP(3),
ADD COLUMN     "ownedSince" TIMESTAMP(3),
ADD COLUMN     "ownerTeamId" TEXT,
ADD COLUMN     "primaryOwnerId" TEXT,
ADD COLUMN     "secondaryOwnerId" TEXT;

-- CreateTable
CREATE TABLE "Team" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "parentTeamId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "archivedAt" TIMESTAMP(3),

    CONSTRAINT "Team_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TeamMembership" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "validFrom" TIMESTAMP(3) NOT NULL,
    "validTo" TIMESTAMP(3),
    "reason" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,

    CONSTRAINT "TeamMembership_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProductLine" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "archivedAt" TIMESTAMP(3),

    CONSTRAINT "ProductLine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProductLineAssignment" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "productLineId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "validFrom" TIMESTAMP(3) NOT NULL,
    "validTo" TIMESTAMP(3),
    "reason" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,

    CONSTRAINT "ProductLineAssignment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccountOwnership" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "teamId" TEXT,
    "primaryOwnerId" TEXT,
    "secondaryOwnerId" TEXT,
    "validFrom" TIMESTAMP(3) NOT NULL,
    "validTo" TIMESTAMP(3),
    "reason" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,

    CONSTRAINT "AccountOwnership_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RoutingOverride" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "productLineId" TEXT,
    "purpose" TEXT,
    "userId" TEXT NOT NULL,
    "validFrom" TIMESTAMP(3) NOT NULL,
    "validTo" TIMESTAMP(3),
    "reason" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,

    CONSTRAINT "RoutingOverride_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Delegation" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "delegatorId" TEXT NOT NULL,
    "delegateId" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "accountIds" TEXT NOT NULL,
    "validFrom" TIMESTAMP(3) NOT NULL,
    "validTo" TIMESTAMP(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),

    CONSTRAINT "Delegation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Availability" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "awayFrom" TIMESTAMP(3) NOT NULL,
    "awayTo" TIMESTAMP(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Availability_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Activity" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "note" TEXT,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Activity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PoolPolicy" (
    "tenantId" TEXT NOT NULL,
    "grade" TEXT NOT NULL,
    "returnAfterDays" INTEGER NOT NULL,
    "reclaimBlockDays" INTEGER NOT NULL,
    "reminderDays" INTEGER NOT NULL,
    "maxClaimsPerRep" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PoolPolicy_pkey" PRIMARY KEY ("tenantId","grade")
);

-- CreateIndex
CREATE INDEX "Team_tenantId_id_idx" ON "Team"("tenantId", "id");

-- CreateIndex
CREATE INDEX "Team_tenantId_parentTeamId_idx" ON "Team"("tenantId", "parentTeamId");

-- CreateIndex
CREATE INDEX "TeamMembership_tenantId_teamId_validFrom_idx" ON "TeamMembership"("tenantId", "teamId", "validFrom");

-- CreateIndex
CREATE INDEX "TeamMembership_tenantId_userId_validFrom_idx" ON "TeamMembership"("tenantId", "userId", "validFrom");

-- CreateIndex
CREATE INDEX "ProductLine_tenantId_id_idx" ON "ProductLine"("tenantId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "ProductLine_tenantId_code_key" ON "ProductLine"("tenantId", "code");

-- CreateIndex
CREATE INDEX "ProductLineAssignment_tenantId_teamId_productLineId_validFr_idx" ON "ProductLineAssignment"("tenantId", "teamId", "productLineId", "validFrom");

-- CreateIndex
CREATE INDEX "AccountOwnership_tenantId_accountId_validFrom_idx" ON "AccountOwnership"("tenantId", "accountId", "validFrom");

-- CreateIndex
CREATE INDEX "AccountOwnership_tenantId_primaryOwnerId_validTo_idx" ON "AccountOwnership"("tenantId", "primaryOwnerId", "validTo");

-- CreateIndex
CREATE INDEX "RoutingOverride_tenantId_accountId_validFrom_idx" ON "RoutingOverride"("tenantId", "accountId", "validFrom");

-- CreateIndex
CREATE INDEX "Delegation_tenantId_delegatorId_validFrom_idx" ON "Delegation"("tenantId", "delegatorId", "validFrom");

-- CreateIndex
CREATE INDEX "Delegation_tenantId_delegateId_validFrom_idx" ON "Delegation"("tenantId", "delegateId", "validFrom");

-- CreateIndex
CREATE INDEX "Availability_tenantId_userId_awayFrom_idx" ON "Availability"("tenantId", "userId", "awayFrom");

-- CreateIndex
CREATE INDEX "Activity_tenantId_accountId_at_idx" ON "Activity"("tenantId", "accountId", "at");

-- CreateIndex
CREATE INDEX "Account_tenantId_ownerTeamId_idx" ON "Account"("tenantId", "ownerTeamId");

-- CreateIndex
CREATE INDEX "Account_tenantId_primaryOwnerId_idx" ON "Account"("tenantId", "primaryOwnerId");

-- CreateIndex
CREATE INDEX "Account_tenantId_secondaryOwnerId_idx" ON "Account"("tenantId", "secondaryOwnerId");
