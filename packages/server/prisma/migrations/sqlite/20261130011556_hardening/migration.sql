-- AlterTable
ALTER TABLE "User" ADD COLUMN "tokensRevokedBefore" DATETIME;

-- CreateTable
CREATE TABLE "UserInactivity" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "validFrom" DATETIME NOT NULL,
    "validTo" DATETIME,
    "reason" TEXT NOT NULL,
    "actorId" TEXT NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_AccountOwnership" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "teamId" TEXT,
    "primaryOwnerId" TEXT,
    "secondaryOwnerId" TEXT,
    "validFrom" DATETIME NOT NULL,
    "validTo" DATETIME,
    "cause" TEXT NOT NULL DEFAULT 'assign',
    "reason" TEXT NOT NULL,
    "actorId" TEXT NOT NULL
);
INSERT INTO "new_AccountOwnership" ("accountId", "actorId", "id", "primaryOwnerId", "reason", "secondaryOwnerId", "teamId", "tenantId", "validFrom", "validTo") SELECT "accountId", "actorId", "id", "primaryOwnerId", "reason", "secondaryOwnerId", "teamId", "tenantId", "validFrom", "validTo" FROM "AccountOwnership";
DROP TABLE "AccountOwnership";
ALTER TABLE "new_AccountOwnership" RENAME TO "AccountOwnership";
CREATE INDEX "AccountOwnership_tenantId_accountId_validFrom_idx" ON "AccountOwnership"("tenantId", "accountId", "validFrom");
CREATE INDEX "AccountOwnership_tenantId_primaryOwnerId_validTo_idx" ON "AccountOwnership"("tenantId", "primaryOwnerId", "validTo");
CREATE TABLE "new_Contact" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "nameSearch" TEXT NOT NULL DEFAULT '',
    "title" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "isPrimary" BOOLEAN NOT NULL DEFAULT false,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "archivedAt" DATETIME,
    CONSTRAINT "Contact_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Contact" ("accountId", "archivedAt", "createdAt", "email", "id", "isPrimary", "name", "phone", "tenantId", "title", "updatedAt", "version") SELECT "accountId", "archivedAt", "createdAt", "email", "id", "isPrimary", "name", "phone", "tenantId", "title", "updatedAt", "version" FROM "Contact";
DROP TABLE "Contact";
ALTER TABLE "new_Contact" RENAME TO "Contact";
CREATE INDEX "Contact_tenantId_accountId_idx" ON "Contact"("tenantId", "accountId");
CREATE INDEX "Contact_tenantId_id_idx" ON "Contact"("tenantId", "id");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "UserInactivity_tenantId_userId_validFrom_idx" ON "UserInactivity"("tenantId", "userId", "validFrom");

-- Backfill: a period's cause moves out of the free-text reason (which kept it as a prefix).
UPDATE "AccountOwnership" SET "cause" = 'create', "reason" = '' WHERE "reason" = 'assign: the creator owns a new account';
UPDATE "AccountOwnership" SET "cause" = 'assign', "reason" = '' WHERE "reason" = 'assign';
UPDATE "AccountOwnership" SET "cause" = 'assign', "reason" = substr("reason", 9) WHERE substr("reason", 1, 8) = 'assign: ';
UPDATE "AccountOwnership" SET "cause" = 'claim', "reason" = '' WHERE "reason" = 'claim';
UPDATE "AccountOwnership" SET "cause" = 'claim', "reason" = substr("reason", 8) WHERE substr("reason", 1, 7) = 'claim: ';
UPDATE "AccountOwnership" SET "cause" = 'release', "reason" = '' WHERE "reason" = 'release';
UPDATE "AccountOwnership" SET "cause" = 'release', "reason" = substr("reason", 10) WHERE substr("reason", 1, 9) = 'release: ';
UPDATE "AccountOwnership" SET "cause" = 'pool-assign', "reason" = '' WHERE "reason" = 'pool-assign';
UPDATE "AccountOwnership" SET "cause" = 'pool-assign', "reason" = substr("reason", 14) WHERE substr("reason", 1, 13) = 'pool-assign: ';
UPDATE "AccountOwnership" SET "cause" = 'pool-return', "reason" = '' WHERE "reason" = 'pool-return';
UPDATE "AccountOwnership" SET "cause" = 'pool-return', "reason" = substr("reason", 14) WHERE substr("reason", 1, 13) = 'pool-return: ';
UPDATE "AccountOwnership" SET "cause" = 'departure', "reason" = '' WHERE "reason" = 'departure';
UPDATE "AccountOwnership" SET "cause" = 'departure', "reason" = substr("reason", 12) WHERE substr("reason", 1, 11) = 'departure: ';

-- Backfill: contacts get their search key (lower-case; names stored since are NFKC-folded by crmkit too).
UPDATE "Contact" SET "nameSearch" = lower("name");

-- Backfill: users already deactivated were inactive from their last update on.
INSERT INTO "UserInactivity" ("id", "tenantId", "userId", "validFrom", "validTo", "reason", "actorId") SELECT 'uin_' || "tenantId" || '_' || "id", "tenantId", "id", "updatedAt", NULL, 'deactivated before effective dating', 'system:migration' FROM "User" WHERE "active" = false;

-- Audit events are append-only in the database too: no statement may change or remove one.
CREATE TRIGGER "AuditEvent_no_update" BEFORE UPDATE ON "AuditEvent"
BEGIN
  SELECT RAISE(ABORT, 'crmkit: audit events are append-only; UPDATE refused');
END;
CREATE TRIGGER "AuditEvent_no_delete" BEFORE DELETE ON "AuditEvent"
BEGIN
  SELECT RAISE(ABORT, 'crmkit: audit events are append-only; DELETE refused');
END;
