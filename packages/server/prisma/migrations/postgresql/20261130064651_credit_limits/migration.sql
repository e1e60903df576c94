-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "exposureBasis" TEXT NOT NULL DEFAULT 'confirmation';

-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "creditApprovalDays" INTEGER NOT NULL DEFAULT 3,
ADD COLUMN     "creditCheckAt" TEXT NOT NULL DEFAULT 'confirmation',
ADD COLUMN     "creditMaxOverdueDays" INTEGER,
ADD COLUMN     "creditOnBreach" TEXT NOT NULL DEFAULT 'refuse',
ADD COLUMN     "creditOverrunBps" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "CreditLimit" (
    "tenantId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "setBy" TEXT NOT NULL,
    "setAt" TIMESTAMP(3) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "CreditLimit_pkey" PRIMARY KEY ("tenantId","accountId","scope")
);

-- CreateTable
CREATE TABLE "CreditHold" (
    "tenantId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "by" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CreditHold_pkey" PRIMARY KEY ("tenantId","accountId")
);

-- CreateTable
CREATE TABLE "ExchangeRate" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "base" TEXT NOT NULL,
    "quote" TEXT NOT NULL,
    "rate" TEXT NOT NULL,
    "validFrom" TIMESTAMP(3) NOT NULL,
    "setBy" TEXT NOT NULL,
    "setAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ExchangeRate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CreditApproval" (
    "id" TEXT NOT NULL,
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
    "requestedAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "reason" TEXT,
    "decision" TEXT NOT NULL,

    CONSTRAINT "CreditApproval_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CreditDecision" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "orderId" TEXT,
    "code" TEXT,
    "at" TIMESTAMP(3) NOT NULL,
    "by" TEXT NOT NULL,
    "decision" TEXT,
    "explanation" TEXT NOT NULL,

    CONSTRAINT "CreditDecision_pkey" PRIMARY KEY ("id")
);

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
