-- AlterTable
ALTER TABLE "AccountOwnership" ADD COLUMN     "cause" TEXT NOT NULL DEFAULT 'assign';

-- AlterTable
ALTER TABLE "Contact" ADD COLUMN     "nameSearch" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "tokensRevokedBefore" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "UserInactivity" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "validFrom" TIMESTAMP(3) NOT NULL,
    "validTo" TIMESTAMP(3),
    "reason" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,

    CONSTRAINT "UserInactivity_pkey" PRIMARY KEY ("id")
);

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

-- Audit events are append-only in the database too: no statement may change, remove or truncate one.
CREATE FUNCTION "crmkit_audit_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'crmkit: audit events are append-only; % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER "AuditEvent_no_update_delete" BEFORE UPDATE OR DELETE ON "AuditEvent" FOR EACH ROW EXECUTE FUNCTION "crmkit_audit_append_only"();
CREATE TRIGGER "AuditEvent_no_truncate" BEFORE TRUNCATE ON "AuditEvent" FOR EACH STATEMENT EXECUTE FUNCTION "crmkit_audit_append_only"();
