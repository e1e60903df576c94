-- CreateTable
CREATE TABLE "Order" (
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
    "createdBy" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "OrderLine" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "productLineId" TEXT,
    "sku" TEXT,
    "description" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "unitPriceMinor" BIGINT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "fulfilledQuantity" INTEGER NOT NULL DEFAULT 0,
    "invoicedMinor" BIGINT NOT NULL DEFAULT 0,
    "attribution" TEXT,
    "ownerOfRecordId" TEXT,
    "ownerOfRecordWhy" TEXT,
    "actingUserId" TEXT,
    "actingWhy" TEXT,
    "attributedAt" DATETIME,
    "externalId" TEXT
);

-- CreateTable
CREATE TABLE "Invoice" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "billToAccountId" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "number" TEXT,
    "issuedAt" DATETIME NOT NULL,
    "dueDate" TEXT NOT NULL,
    "totalMinor" BIGINT NOT NULL,
    "openMinor" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "correctsInvoiceId" TEXT,
    "note" TEXT,
    "voidedAt" DATETIME,
    "voidReason" TEXT,
    "source" TEXT NOT NULL DEFAULT 'crmkit',
    "externalId" TEXT,
    "createdBy" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "InvoiceLine" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "invoiceId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "description" TEXT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "orderLineId" TEXT,
    "appliedToOrderMinor" BIGINT NOT NULL DEFAULT 0,
    "correctsLineId" TEXT,
    "creditedMinor" BIGINT NOT NULL DEFAULT 0
);

-- CreateTable
CREATE TABLE "Payment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "amountMinor" BIGINT NOT NULL,
    "allocatedMinor" BIGINT NOT NULL DEFAULT 0,
    "receivedAt" DATETIME NOT NULL,
    "reference" TEXT,
    "status" TEXT NOT NULL,
    "voidedAt" DATETIME,
    "voidReason" TEXT,
    "source" TEXT NOT NULL DEFAULT 'crmkit',
    "externalId" TEXT,
    "createdBy" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "InvoiceSettlement" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "invoiceId" TEXT NOT NULL,
    "paymentId" TEXT,
    "creditNoteId" TEXT,
    "amountMinor" BIGINT NOT NULL,
    "at" DATETIME NOT NULL,
    "voidedAt" DATETIME
);

-- CreateTable
CREATE TABLE "ExposureFigure" (
    "tenantId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "ordersOpenMinor" BIGINT NOT NULL DEFAULT 0,
    "invoicesOpenMinor" BIGINT NOT NULL DEFAULT 0,
    "onAccountCreditMinor" BIGINT NOT NULL DEFAULT 0,

    PRIMARY KEY ("tenantId", "accountId", "scope", "currency")
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Tenant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "baseCurrency" TEXT NOT NULL DEFAULT 'USD',
    "settingsVersion" INTEGER NOT NULL DEFAULT 1,
    "updatedAt" DATETIME
);
INSERT INTO "new_Tenant" ("createdAt", "id", "name") SELECT "createdAt", "id", "name" FROM "Tenant";
DROP TABLE "Tenant";
ALTER TABLE "new_Tenant" RENAME TO "Tenant";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Order_tenantId_id_idx" ON "Order"("tenantId", "id");

-- CreateIndex
CREATE INDEX "Order_tenantId_orderingAccountId_id_idx" ON "Order"("tenantId", "orderingAccountId", "id");

-- CreateIndex
CREATE INDEX "Order_tenantId_billToAccountId_id_idx" ON "Order"("tenantId", "billToAccountId", "id");

-- CreateIndex
CREATE INDEX "Order_tenantId_status_id_idx" ON "Order"("tenantId", "status", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Order_tenantId_source_externalId_key" ON "Order"("tenantId", "source", "externalId");

-- CreateIndex
CREATE INDEX "OrderLine_tenantId_orderId_idx" ON "OrderLine"("tenantId", "orderId");

-- CreateIndex
CREATE UNIQUE INDEX "OrderLine_orderId_position_key" ON "OrderLine"("orderId", "position");

-- CreateIndex
CREATE INDEX "Invoice_tenantId_id_idx" ON "Invoice"("tenantId", "id");

-- CreateIndex
CREATE INDEX "Invoice_tenantId_billToAccountId_status_dueDate_idx" ON "Invoice"("tenantId", "billToAccountId", "status", "dueDate");

-- CreateIndex
CREATE INDEX "Invoice_tenantId_correctsInvoiceId_idx" ON "Invoice"("tenantId", "correctsInvoiceId");

-- CreateIndex
CREATE UNIQUE INDEX "Invoice_tenantId_source_externalId_key" ON "Invoice"("tenantId", "source", "externalId");

-- CreateIndex
CREATE INDEX "InvoiceLine_tenantId_orderLineId_idx" ON "InvoiceLine"("tenantId", "orderLineId");

-- CreateIndex
CREATE INDEX "InvoiceLine_tenantId_correctsLineId_idx" ON "InvoiceLine"("tenantId", "correctsLineId");

-- CreateIndex
CREATE UNIQUE INDEX "InvoiceLine_invoiceId_position_key" ON "InvoiceLine"("invoiceId", "position");

-- CreateIndex
CREATE INDEX "Payment_tenantId_id_idx" ON "Payment"("tenantId", "id");

-- CreateIndex
CREATE INDEX "Payment_tenantId_accountId_id_idx" ON "Payment"("tenantId", "accountId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Payment_tenantId_source_externalId_key" ON "Payment"("tenantId", "source", "externalId");

-- CreateIndex
CREATE INDEX "InvoiceSettlement_tenantId_invoiceId_idx" ON "InvoiceSettlement"("tenantId", "invoiceId");

-- CreateIndex
CREATE INDEX "InvoiceSettlement_tenantId_paymentId_idx" ON "InvoiceSettlement"("tenantId", "paymentId");

-- CreateIndex
CREATE INDEX "InvoiceSettlement_tenantId_creditNoteId_idx" ON "InvoiceSettlement"("tenantId", "creditNoteId");
