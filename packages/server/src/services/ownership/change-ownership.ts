import { CrmError, newId, tenureStartAfter, type OwnershipCause, type OwnershipPeriod, type OwnershipState } from '@crmkit/core';
import { Prisma } from '../../../generated/sqlite/client.js';
import type { ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { lockAccounts } from '../../db/locks.js';
import type { SqliteWrite } from '../../db/sqlite-writer.js';
import { recordChange, recordChangeOn } from '../audit/record.js';

export type { OwnershipState };

/** A stored period as the API answers it (the `cause` column holds one of core's `ownershipCauseSchema` values). */
export function toPeriod(row: { accountId: string; teamId: string | null; primaryOwnerId: string | null; secondaryOwnerId: string | null; validFrom: Date; validTo: Date | null; cause: string; reason: string; actorId: string }): OwnershipPeriod {
  return { ...row, validFrom: row.validFrom.toISOString(), validTo: row.validTo?.toISOString() ?? null, cause: row.cause as OwnershipCause };
}

/** Why an ownership change is made: the cause of the period it opens, and the person's words ('' when none). */
export interface ChangeWhy {
  cause: OwnershipCause;
  reason?: string | undefined;
}

/** The Account mirror columns an ownership change writes (ownedSince left out: keep it). */
export interface AccountOwnershipColumns {
  ownerTeamId: string | null;
  primaryOwnerId: string | null;
  secondaryOwnerId: string | null;
  ownedSince?: Date | null;
}

/** Whether two ownership states are the same (a change between them is a no-op). */
export const sameOwnership = (a: OwnershipState, b: OwnershipState) => a.teamId === b.teamId && a.primaryOwnerId === b.primaryOwnerId && a.secondaryOwnerId === b.secondaryOwnerId;

/**
 * The account's current-owner columns after a change from `before` to `next` at `at`, with the
 * pool clock (`ownedSince`) as core's `tenureStartAfter` says; left out when it keeps its value.
 */
export function ownershipColumns(before: OwnershipState, next: OwnershipState, at: Date): AccountOwnershipColumns {
  const columns: AccountOwnershipColumns = { ownerTeamId: next.teamId, primaryOwnerId: next.primaryOwnerId, secondaryOwnerId: next.secondaryOwnerId };
  const tenure = tenureStartAfter(before, next, at);
  if (tenure !== undefined) columns.ownedSince = tenure;
  return columns;
}

/** The audit/outbox `before` and `after` of an ownership change: the owners, the change's cause and the person's words. */
function changePayloads(before: OwnershipState, next: OwnershipState, period: OwnershipPeriod) {
  const why = { cause: period.cause, reason: period.reason };
  return { before: { ...before, ...why }, after: { ...next, ...why, period } };
}

/**
 * Changes who owns an account from now on, in the caller's transaction: locks the account,
 * closes the period in force, opens the next (nothing is overwritten), keeps the account's
 * current-owner columns equal to it, and records one audit and outbox event
 * (`account.ownership_changed`, with the period's `cause` and `reason`). A change to the same
 * state is a no-op and returns null.
 * For many accounts at once use {@link changeOwnershipMany}, which writes the same rows.
 *
 * @example await changeOwnership(tx, ctx, accountId, { teamId: null, primaryOwnerId: 'li', secondaryOwnerId: null }, { cause: 'assign', reason: 'her territory' })
 */
export async function changeOwnership(
  tx: Tx,
  ctx: ServiceContext,
  accountId: string,
  next: OwnershipState,
  change: ChangeWhy & { at?: Date },
): Promise<OwnershipPeriod | null> {
  const { tenantId } = ctx.actor;
  const at = change.at ?? ctx.clock.now();
  // Locked first: two changes at once on PostgreSQL would otherwise both close the same period and each open one.
  await lockAccounts(tx, ctx, [accountId]);
  const account = await tx.account.findFirstOrThrow({ where: { id: accountId, tenantId }, select: { ownerTeamId: true, primaryOwnerId: true, secondaryOwnerId: true } });
  const before: OwnershipState = { teamId: account.ownerTeamId, primaryOwnerId: account.primaryOwnerId, secondaryOwnerId: account.secondaryOwnerId };
  if (sameOwnership(before, next)) return null;
  await tx.accountOwnership.updateMany({ where: { tenantId, accountId, validTo: null }, data: { validTo: at } });
  const row = await tx.accountOwnership.create({
    data: { id: newId('own', ctx.clock), tenantId, accountId, ...next, validFrom: at, validTo: null, cause: change.cause, reason: change.reason ?? '', actorId: `${ctx.actor.type}:${ctx.actor.id}` },
  });
  await tx.account.update({ where: { id: accountId }, data: { ...ownershipColumns(before, next, at), updatedAt: at } });
  const period = toPeriod(row);
  await recordChange(tx, ctx, { action: OWNERSHIP_CHANGED, entityType: 'account', entityId: accountId, ...changePayloads(before, next, period) });
  return period;
}

/**
 * {@link changeOwnership} in a driver transaction (SQLite's hot write paths): the same rows,
 * events and ids. SQLite runs one write transaction at a time, so there is nothing to lock.
 */
export function changeOwnershipOn(w: SqliteWrite, ctx: ServiceContext, accountId: string, next: OwnershipState, change: ChangeWhy & { at?: Date }): OwnershipPeriod | null {
  const { tenantId } = ctx.actor;
  const at = change.at ?? ctx.clock.now();
  const account = w.get<{ ownerTeamId: string | null; primaryOwnerId: string | null; secondaryOwnerId: string | null }>(
    'SELECT "ownerTeamId", "primaryOwnerId", "secondaryOwnerId" FROM "Account" WHERE "id" = ? AND "tenantId" = ?',
    accountId, tenantId,
  );
  if (!account) throw CrmError.notFound('account', accountId);
  const before: OwnershipState = { teamId: account.ownerTeamId, primaryOwnerId: account.primaryOwnerId, secondaryOwnerId: account.secondaryOwnerId };
  if (sameOwnership(before, next)) return null;
  w.run('UPDATE "AccountOwnership" SET "validTo" = ? WHERE "tenantId" = ? AND "accountId" = ? AND "validTo" IS NULL', at, tenantId, accountId);
  // The row as the ORM's create returns it (columns in model order), so the payloads match.
  const row = {
    id: newId('own', ctx.clock), tenantId, accountId, teamId: next.teamId, primaryOwnerId: next.primaryOwnerId, secondaryOwnerId: next.secondaryOwnerId,
    validFrom: at, validTo: null, cause: change.cause, reason: change.reason ?? '', actorId: `${ctx.actor.type}:${ctx.actor.id}`,
  };
  w.run(
    'INSERT INTO "AccountOwnership" ("id", "tenantId", "accountId", "teamId", "primaryOwnerId", "secondaryOwnerId", "validFrom", "validTo", "cause", "reason", "actorId") VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)',
    row.id, tenantId, accountId, row.teamId, row.primaryOwnerId, row.secondaryOwnerId, at, row.cause, row.reason, row.actorId,
  );
  const columns = ownershipColumns(before, next, at);
  const ownedSince = 'ownedSince' in columns;
  w.run(
    `UPDATE "Account" SET "ownerTeamId" = ?, "primaryOwnerId" = ?, "secondaryOwnerId" = ?${ownedSince ? ', "ownedSince" = ?' : ''}, "updatedAt" = ? WHERE "id" = ?`,
    ...[columns.ownerTeamId, columns.primaryOwnerId, columns.secondaryOwnerId, ...(ownedSince ? [columns.ownedSince] : []), at, accountId],
  );
  const period = toPeriod(row);
  recordChangeOn(w, ctx, { action: OWNERSHIP_CHANGED, entityType: 'account', entityId: accountId, ...changePayloads(before, next, period) });
  return period;
}

/** The audit action and outbox event type of an ownership change. */
export const OWNERSHIP_CHANGED = 'account.ownership_changed';

/** One account's change for {@link changeOwnershipMany}: the same arguments `changeOwnership` takes. */
export interface OwnershipChange extends ChangeWhy {
  accountId: string;
  next: OwnershipState;
  /** When the change takes effect (default: the clock's now). */
  at?: Date;
  /** The account's owners as the caller just read them in this transaction (spares re-reading them). */
  before?: OwnershipState;
}

/** Rows per multi-row INSERT (well under SQLite's and PostgreSQL's bound-parameter limits). */
const INSERT_ROWS = 300;
/** Ids per IN list. */
const IN_IDS = 1_000;

/**
 * `changeOwnership` for many accounts in the caller's transaction, set-based: one read of the
 * accounts, one UPDATE closing the open periods (per distinct instant), one multi-row INSERT of
 * new periods, audit events and outbox events per 300 rows, and one UPDATE of the accounts per
 * distinct set of new owner columns (a pool return or a departure to one heir is one). It writes
 * what the calls `changeOwnership(tx, ctx, c.accountId, c.next, c)` one after another would:
 * the same periods, mirror columns (ownedSince included), audit and outbox payloads, with ids
 * made in the same order. Returns the new period of each change, null for a no-op.
 *
 * Each account may appear once (the calls in a row would see each other's effect); an account
 * not found in the tenant fails the whole call with NOT_FOUND. It locks the accounts first, in id
 * order (see {@link lockAccounts}), as `changeOwnership` does, so every ownership write takes the
 * account rows before the period rows; a caller passing `before` should have read it under that lock.
 */
export async function changeOwnershipMany(tx: Tx, ctx: ServiceContext, changes: readonly OwnershipChange[]): Promise<(OwnershipPeriod | null)[]> {
  if (changes.length === 0) return [];
  const { tenantId } = ctx.actor;
  const seen = new Set<string>();
  for (const c of changes) {
    if (seen.has(c.accountId)) throw new CrmError('VALIDATION', `account ${c.accountId} appears twice in one ownership change`, { details: { accountId: c.accountId } });
    seen.add(c.accountId);
  }

  const current = new Map<string, { ownerTeamId: string | null; primaryOwnerId: string | null; secondaryOwnerId: string | null }>();
  for (const c of changes) if (c.before) current.set(c.accountId, { ownerTeamId: c.before.teamId, primaryOwnerId: c.before.primaryOwnerId, secondaryOwnerId: c.before.secondaryOwnerId });
  await lockAccounts(tx, ctx, [...seen]);
  for (const ids of chunked([...seen].filter((id) => !current.has(id)), IN_IDS)) {
    const rows = await tx.$queryRaw<{ id: string; ownerTeamId: string | null; primaryOwnerId: string | null; secondaryOwnerId: string | null }[]>`
      SELECT "id", "ownerTeamId", "primaryOwnerId", "secondaryOwnerId" FROM "Account" WHERE "tenantId" = ${tenantId} AND "id" IN (${Prisma.join(ids)})`;
    for (const row of rows) current.set(row.id, row);
  }
  const missing = changes.find((c) => !current.has(c.accountId));
  if (missing) throw new CrmError('NOT_FOUND', `account ${missing.accountId} not found`, { details: { accountId: missing.accountId } });

  const now = ctx.clock.now();
  const actorId = `${ctx.actor.type}:${ctx.actor.id}`;
  const { type: auditActorType, id: auditActorId } = ctx.actor;
  const periods: (OwnershipPeriod | null)[] = [];
  const periodRows: Prisma.Sql[] = [];
  const auditRows: Prisma.Sql[] = [];
  const outboxRows: Prisma.Sql[] = [];
  const closeAt = new Map<number, string[]>();
  const accountUpdates = new Map<string, { columns: AccountOwnershipColumns; at: Date; ids: string[] }>();
  for (const c of changes) {
    const account = current.get(c.accountId)!;
    const before: OwnershipState = { teamId: account.ownerTeamId, primaryOwnerId: account.primaryOwnerId, secondaryOwnerId: account.secondaryOwnerId };
    if (sameOwnership(before, c.next)) {
      periods.push(null);
      continue;
    }
    const at = c.at ?? now;
    const group = closeAt.get(at.getTime());
    if (group) group.push(c.accountId);
    else closeAt.set(at.getTime(), [c.accountId]);
    // Ids in the order the calls one by one make them: the period's, then the audit event's and the outbox event's.
    // The row as the ORM's create returns it (columns in model order), so the payloads match.
    const row = {
      id: newId('own', ctx.clock), tenantId, accountId: c.accountId, teamId: c.next.teamId, primaryOwnerId: c.next.primaryOwnerId, secondaryOwnerId: c.next.secondaryOwnerId,
      validFrom: at, validTo: null, cause: c.cause, reason: c.reason ?? '', actorId,
    };
    periodRows.push(Prisma.sql`(${row.id}, ${tenantId}, ${row.accountId}, ${row.teamId}, ${row.primaryOwnerId}, ${row.secondaryOwnerId}, ${at}, NULL, ${row.cause}, ${row.reason}, ${actorId})`);
    const period = toPeriod(row);
    periods.push(period);
    const { before: beforePayload, after } = changePayloads(before, c.next, period);
    auditRows.push(
      Prisma.sql`(${newId('aud', ctx.clock)}, ${tenantId}, ${auditActorType}, ${auditActorId}, ${OWNERSHIP_CHANGED}, ${'account'}, ${c.accountId}, ${JSON.stringify(beforePayload)}, ${JSON.stringify(after)}, ${now})`,
    );
    outboxRows.push(
      Prisma.sql`(${newId('evt', ctx.clock)}, ${tenantId}, ${OWNERSHIP_CHANGED}, ${'account'}, ${c.accountId}, ${JSON.stringify({ actor: { type: auditActorType, id: auditActorId }, before: beforePayload, after })}, ${now})`,
    );
    const columns = ownershipColumns(before, c.next, at);
    const key = JSON.stringify([columns, at.getTime()]);
    const update = accountUpdates.get(key);
    if (update) update.ids.push(c.accountId);
    else accountUpdates.set(key, { columns, at, ids: [c.accountId] });
  }
  if (periodRows.length === 0) return periods;

  for (const [at, ids] of closeAt) {
    for (const part of chunked(ids, IN_IDS)) {
      await tx.$executeRaw`UPDATE "AccountOwnership" SET "validTo" = ${new Date(at)} WHERE "tenantId" = ${tenantId} AND "validTo" IS NULL AND "accountId" IN (${Prisma.join(part)})`;
    }
  }
  await insertRows(tx, Prisma.sql`INSERT INTO "AccountOwnership" ("id", "tenantId", "accountId", "teamId", "primaryOwnerId", "secondaryOwnerId", "validFrom", "validTo", "cause", "reason", "actorId") VALUES `, periodRows);
  for (const { columns, at, ids } of accountUpdates.values()) {
    const ownedSince = 'ownedSince' in columns ? Prisma.sql`, "ownedSince" = ${columns.ownedSince}` : Prisma.empty;
    for (const part of chunked(ids, IN_IDS)) {
      await tx.$executeRaw`UPDATE "Account" SET "ownerTeamId" = ${columns.ownerTeamId}, "primaryOwnerId" = ${columns.primaryOwnerId}, "secondaryOwnerId" = ${columns.secondaryOwnerId}${ownedSince}, "updatedAt" = ${at}
        WHERE "tenantId" = ${tenantId} AND "id" IN (${Prisma.join(part)})`;
    }
  }
  await insertRows(tx, Prisma.sql`INSERT INTO "AuditEvent" ("id", "tenantId", "actorType", "actorId", "action", "entityType", "entityId", "before", "after", "at") VALUES `, auditRows);
  await insertRows(tx, Prisma.sql`INSERT INTO "OutboxEvent" ("id", "tenantId", "type", "entityType", "entityId", "payload", "createdAt") VALUES `, outboxRows);
  return periods;
}

/** A multi-row INSERT of `rows` (each a parenthesized tuple), a few hundred rows a statement. */
export async function insertRows(tx: Tx, head: Prisma.Sql, rows: readonly Prisma.Sql[]): Promise<void> {
  for (const part of chunked(rows, INSERT_ROWS)) await tx.$executeRaw`${head}${Prisma.join(part)}`;
}

function* chunked<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
