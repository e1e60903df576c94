-- AlterTable
ALTER TABLE "Account" ADD COLUMN "lastFollowUpAt" DATETIME;
ALTER TABLE "Account" ADD COLUMN "ownedSince" DATETIME;
ALTER TABLE "Account" ADD COLUMN "ownerTeamId" TEXT;
ALTER TABLE "Account" ADD COLUMN "primaryOwnerId" TEXT;
ALTER TABLE "Account" ADD COLUMN "secondaryOwnerId" TEXT;

-- CreateTable
CREATE TABLE "Team" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "parentTeamId" TEXT,
    "createdAt" DATETIME NOT NULL,
    "archivedAt" DATETIME
);

-- CreateTable
CREATE TABLE "TeamMembership" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "validFrom" DATETIME NOT NULL,
    "validTo" DATETIME,
    "reason" TEXT NOT NULL,
    "actorId" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "ProductLine" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "archivedAt" DATETIME
);

-- CreateTable
CREATE TABLE "ProductLineAssignment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "productLineId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "validFrom" DATETIME NOT NULL,
    "validTo" DATETIME,
    "reason" TEXT NOT NULL,
    "actorId" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "AccountOwnership" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "teamId" TEXT,
    "primaryOwnerId" TEXT,
    "secondaryOwnerId" TEXT,
    "validFrom" DATETIME NOT NULL,
    "validTo" DATETIME,
    "reason" TEXT NOT NULL,
    "actorId" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "RoutingOverride" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "productLineId" TEXT,
    "purpose" TEXT,
    "userId" TEXT NOT NULL,
    "validFrom" DATETIME NOT NULL,
    "validTo" DATETIME,
    "reason" TEXT NOT NULL,
    "actorId" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "Delegation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "delegatorId" TEXT NOT NULL,
    "delegateId" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "accountIds" TEXT NOT NULL,
    "validFrom" DATETIME NOT NULL,
    "validTo" DATETIME NOT NULL,
    "reason" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "endedAt" DATETIME
);

-- CreateTable
CREATE TABLE "Availability" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "awayFrom" DATETIME NOT NULL,
    "awayTo" DATETIME NOT NULL,
    "reason" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Activity" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "note" TEXT,
    "at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PoolPolicy" (
    "tenantId" TEXT NOT NULL,
    "grade" TEXT NOT NULL,
    "returnAfterDays" INTEGER NOT NULL,
    "reclaimBlockDays" INTEGER NOT NULL,
    "reminderDays" INTEGER NOT NULL,
    "maxClaimsPerRep" INTEGER NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("tenantId", "grade")
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
CREATE INDEX "ProductLineAssignment_tenantId_teamId_productLineId_validFrom_idx" ON "ProductLineAssignment"("tenantId", "teamId", "productLineId", "validFrom");

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
