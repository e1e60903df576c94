-- CreateTable
CREATE TABLE "CreditLimit" (
    "tenantId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "setBy" TEXT NOT NULL,
    "setAt" DATETIME NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,

    PRIMARY KEY ("tenantId", "accountId", "scope")
);

-- CreateTable
CREATE TABLE "CreditHold" (
    "tenantId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "by" TEXT NOT NULL,
    "at" DATETIME NOT NULL,

    PRIMARY KEY ("tenantId", "accountId")
);

-- CreateTable
CREATE TABLE "ExchangeRate" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "base" TEXT NOT NULL,
    "quote" TEXT NOT NULL,
    "rate" TEXT NOT NULL,
    "validFrom" DATETIME NOT NULL,
    "setBy" TEXT NOT NULL,
    "setAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "CreditApproval" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "routedToId" TEXT,
    "approverId" TEXT,
    "routing" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "requestedAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "decidedBy" TEXT,
    "decidedAt" DATETIME,
    "reason" TEXT,
    "decision" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "CreditDecision" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "orderId" TEXT,
    "code" TEXT,
    "at" DATETIME NOT NULL,
    "by" TEXT NOT NULL,
    "decision" TEXT,
    "explanation" TEXT NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Order" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "orderingAccountId" TEXT NOT NULL,
    "billToAccountId" TEXT NOT NULL,
    "shipToAccountId" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "totalMinor" BIGINT NOT NULL,
    "openMinor" BIGINT NOT NULL DEFAULT 0,
    "partyExplanation" TEXT NOT NULL,
    "reference" TEXT,
    "note" TEXT,
    "orderedAt" DATETIME NOT NULL,
    "confirmedAt" DATETIME,
    "cancelledAt" DATETIME,
    "cancelReason" TEXT,
    "closedAt" DATETIME,
    "source" TEXT NOT NULL DEFAULT 'crmkit',
    "externalId" TEXT,
    "exposureBasis" TEXT NOT NULL DEFAULT 'confirmation',
    "createdBy" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Order" ("billToAccountId", "cancelReason", "cancelledAt", "closedAt", "confirmedAt", "createdAt", "createdBy", "currency", "externalId", "id", "note", "openMinor", "orderedAt", "orderingAccountId", "partyExplanation", "reference", "shipToAccountId", "source", "status", "tenantId", "totalMinor", "updatedAt", "version") SELECT "billToAccountId", "cancelReason", "cancelledAt", "closedAt", "confirmedAt", "createdAt", "createdBy", "currency", "externalId", "id", "note", "openMinor", "orderedAt", "orderingAccountId", "partyExplanation", "reference", "shipToAccountId", "source", "status", "tenantId", "totalMinor", "updatedAt", "version" FROM "Order";
DROP TABLE "Order";
ALTER TABLE "new_Order" RENAME TO "Order";
CREATE INDEX "Order_tenantId_id_idx" ON "Order"("tenantId", "id");
CREATE INDEX "Order_tenantId_orderingAccountId_id_idx" ON "Order"("tenantId", "orderingAccountId", "id");
CREATE INDEX "Order_tenantId_billToAccountId_id_idx" ON "Order"("tenantId", "billToAccountId", "id");
CREATE INDEX "Order_tenantId_status_id_idx" ON "Order"("tenantId", "status", "id");
CREATE UNIQUE INDEX "Order_tenantId_source_externalId_key" ON "Order"("tenantId", "source", "externalId");
CREATE TABLE "new_Tenant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "baseCurrency" TEXT NOT NULL DEFAULT 'USD',
    "settingsVersion" INTEGER NOT NULL DEFAULT 1,
    "updatedAt" DATETIME,
    "creditCheckAt" TEXT NOT NULL DEFAULT 'confirmation',
    "creditOnBreach" TEXT NOT NULL DEFAULT 'refuse',
    "creditOverrunBps" INTEGER NOT NULL DEFAULT 0,
    "creditMaxOverdueDays" INTEGER,
    "creditApprovalDays" INTEGER NOT NULL DEFAULT 3
);
INSERT INTO "new_Tenant" ("baseCurrency", "createdAt", "id", "name", "settingsVersion", "timeZone", "updatedAt") SELECT "baseCurrency", "createdAt", "id", "name", "settingsVersion", "timeZone", "updatedAt" FROM "Tenant";
DROP TABLE "Tenant";
ALTER TABLE "new_Tenant" RENAME TO "Tenant";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "ExchangeRate_tenantId_validFrom_idx" ON "ExchangeRate"("tenantId", "validFrom");

-- CreateIndex
CREATE UNIQUE INDEX "ExchangeRate_tenantId_base_quote_validFrom_key" ON "ExchangeRate"("tenantId", "base", "quote", "validFrom");

-- CreateIndex
CREATE INDEX "CreditApproval_tenantId_status_expiresAt_idx" ON "CreditApproval"("tenantId", "status", "expiresAt");

-- CreateIndex
CREATE INDEX "CreditApproval_tenantId_routedToId_status_idx" ON "CreditApproval"("tenantId", "routedToId", "status");

-- CreateIndex
CREATE INDEX "CreditApproval_tenantId_orderId_idx" ON "CreditApproval"("tenantId", "orderId");

-- CreateIndex
CREATE INDEX "CreditApproval_tenantId_accountId_status_idx" ON "CreditApproval"("tenantId", "accountId", "status");

-- CreateIndex
CREATE INDEX "CreditDecision_tenantId_accountId_at_idx" ON "CreditDecision"("tenantId", "accountId", "at");
