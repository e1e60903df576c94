import { CrmError, DAY_MS, newId, poolSweepInputSchema, type PoolPolicy } from '@crmkit/core';
import { z } from 'zod';
import { authorize, type Actor, type ServiceContext } from '../../context.js';
import type { Db, Tx } from '../../db/client.js';
import { inTransaction } from '../audit/record.js';
import { Prisma } from '../../../generated/sqlite/client.js';
import { lockAccounts } from '../../db/locks.js';
import { changeOwnershipMany, insertRows } from '../ownership/change-ownership.js';
import { byDueThenId, judge, judgeOwnedAccounts, readCandidateRows, toPoolReturn, type Judged, type PoolReturn } from './due.js';
import { loadPoolPolicies } from './policy.js';

/** `pool.sweep`: a manual run; `batchSize` bounds how many accounts one transaction returns. */

/**
 * Accounts one transaction returns by default: each batch pays a commit (on SQLite with WAL, the
 * fsync and the checkpoint of every page it changed), so larger batches cost less per account
 * (bench/: 1,000 returns take ~0.63 s in batches of 250, ~0.54 s in batches of 500 or 1,000)
 * while one batch holds the write lock for a few hundred milliseconds at most.
 */
const DEFAULT_BATCH = 500;
/** The outbox event telling an owner that an account of theirs returns soon. */
export const POOL_REMINDER_EVENT = 'pool.reminder';
/** The outbox event telling the previous owner that an account of theirs returned to the pool. */
export const POOL_RETURN_NOTICE_EVENT = 'pool.return_notice';

export interface PoolSweepResult {
  at: string;
  /** Accounts returned to the pool by this run, by due time. */
  returned: PoolReturn[];
  /** Accounts whose owner was reminded by this run. */
  reminded: string[];
}

/**
 * The pool job for the context's tenant, at `now`: returns every account that is due (the
 * preview's computation with `withinDays: 0`) through `changeOwnershipMany` (what `changeOwnership`
 * writes per account: cause `pool-return`, audit and `account.ownership_changed` events), one
 * transaction per batch, each with a
 * `pool.return_notice` outbox event naming the previous owner to notify; and emits one
 * `pool.reminder` outbox event per account inside its reminder window that was not reminded
 * since (deduplicated against the outbox, so nothing new is stored). Returns come first, then
 * reminders, `batchSize` accounts a transaction.
 * Idempotent: a second run at the same instant changes nothing.
 *
 * @example await runPoolSweep(crm.serviceContext(poolSweepActor('ten_a')))
 */
export async function runPoolSweep(ctx: ServiceContext, options: { batchSize?: number | undefined } = {}): Promise<PoolSweepResult> {
  authorize(ctx.actor, 'pool:manage');
  const { tenantId } = ctx.actor;
  const at = ctx.clock.now();
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const policies = await loadPoolPolicies(ctx.db, tenantId);
  // One scan finds both: due accounts (dueAt <= at) and those only inside their reminder window
  // (remindAt <= at, i.e. due by at + reminderDays days).
  const judged = await judgeOwnedAccounts(ctx.db, { tenantId, policies, at, dueBy: (p) => new Date(at.getTime() + p.reminderDays * DAY_MS) });
  const due = judged.filter((j) => j.decision.dueAt <= at);
  const remind = judged.filter((j) => j.decision.dueAt > at);

  const returned: PoolReturn[] = [];
  const reminded: string[] = [];
  // Returns first, then reminders, up to `batchSize` accounts a transaction: a scheduled run (a few
  // of each) commits once; a backlog commits once per batch.
  const work: { judged: Judged; returns: boolean }[] = [...due.map((judged) => ({ judged, returns: true })), ...remind.map((judged) => ({ judged, returns: false }))];
  for (const batch of chunks(work, batchSize)) {
    const done = await inTransaction(ctx, async (tx) => {
      await lockSweep(tx, ctx);
      const returns = batch.filter((w) => w.returns).map((w) => w.judged);
      const reminders = batch.filter((w) => !w.returns).map((w) => w.judged);
      return {
        returned: returns.length ? await returnBatch(tx, ctx, policies, at, returns) : [],
        reminded: reminders.length ? await remindBatch(tx, ctx, at, reminders) : [],
      };
    });
    returned.push(...done.returned);
    reminded.push(...done.reminded);
  }
  if (returned.length || reminded.length) ctx.logger.info({ tenantId, returned: returned.length, reminded: reminded.length }, 'pool sweep');
  return { at: at.toISOString(), returned, reminded };
}

/** `pool.sweep`: admins may run the job by hand for their tenant. */
export async function sweepPool(ctx: ServiceContext, input: z.input<typeof poolSweepInputSchema>): Promise<PoolSweepResult> {
  authorize(ctx.actor, 'pool:manage');
  if (ctx.actor.role !== 'admin') throw new CrmError('FORBIDDEN', 'only an admin may run the pool sweep by hand', { details: { role: ctx.actor.role } });
  const { batchSize } = poolSweepInputSchema.parse(input);
  return runPoolSweep(ctx, { batchSize });
}

/** The actor the scheduled sweep acts as in a tenant (recorded in the audit log as `system:pool-sweep`). */
export function poolSweepActor(tenantId: string): Actor {
  return { tenantId, type: 'system', id: 'pool-sweep', role: 'admin', scopes: null };
}

/**
 * The scheduled job: sweeps every tenant in turn (tenants without a pool policy cost one query).
 *
 * @example setInterval(() => void runPoolSweepForAllTenants(crm), 15 * 60_000)
 */
export async function runPoolSweepForAllTenants(deps: { db: Db; serviceContext(actor: Actor): ServiceContext }, options: { batchSize?: number } = {}): Promise<Record<string, PoolSweepResult>> {
  const tenants = await deps.db.tenant.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
  const results: Record<string, PoolSweepResult> = {};
  for (const { id } of tenants) results[id] = await runPoolSweep(deps.serviceContext(poolSweepActor(id)), options);
  return results;
}

/**
 * Returns one batch, in the caller's transaction (which holds the sweep lock). The batch's
 * accounts are locked, read again inside it and judged again with the same function at the same
 * instant, so a follow-up, release or assignment that landed after the scan is respected (one
 * arriving meanwhile waits for the batch) and a concurrent or repeated sweep returns nothing twice.
 */
async function returnBatch(tx: Tx, ctx: ServiceContext, policies: readonly PoolPolicy[], at: Date, batch: Judged[]): Promise<PoolReturn[]> {
  const { tenantId } = ctx.actor;
  const ids = batch.map((j) => j.row.id);
  await lockAccounts(tx, ctx, ids);
  const rows = await readCandidateRows(tx, tenantId, ids);
  const stillDue: Judged[] = [];
  for (const row of rows) {
    const decision = judge(row, policies, at);
    if (decision && decision.dueAt <= at) stillDue.push({ row, decision });
  }
  stillDue.sort(byDueThenId);
  // Set-based: the same rows as changeOwnership per account, in a few statements for the batch.
  await changeOwnershipMany(
    tx,
    ctx,
    stillDue.map(({ row }) => ({
      accountId: row.id,
      before: { teamId: row.ownerTeamId, primaryOwnerId: row.primaryOwnerId, secondaryOwnerId: row.secondaryOwnerId },
      next: { teamId: null, primaryOwnerId: null, secondaryOwnerId: null },
      cause: 'pool-return',
      at,
    })),
  );
  // The audit and change events are changeOwnership's; the notice to the previous owner is a message, written for the batch at once.
  await notify(tx, ctx, at, POOL_RETURN_NOTICE_EVENT, stillDue, (j) => ({
    previousOwnerId: j.row.primaryOwnerId,
    previousTeamId: j.row.ownerTeamId,
    previousSecondaryOwnerId: j.row.secondaryOwnerId,
    returnedAt: at.toISOString(),
  }));
  return stillDue.map(toPoolReturn);
}

/** Emits the reminders of one batch that were not emitted since the account's reminder time (and tenure start). */
async function remindBatch(tx: Tx, ctx: ServiceContext, at: Date, batch: Judged[]): Promise<string[]> {
  const { tenantId } = ctx.actor;
  const threshold = (j: Judged) => new Date(Math.max(j.decision.remindAt.getTime(), j.row.ownedSince?.getTime() ?? 0));
  const floor = new Date(Math.min(...batch.map((j) => threshold(j).getTime())));
  // Event ids start with their creation time, so the (tenantId, id) index bounds this read to the reminder window.
  const sent = await tx.outboxEvent.findMany({
    where: { tenantId, id: { gte: eventIdFloor(floor) }, type: POOL_REMINDER_EVENT, entityId: { in: batch.map((j) => j.row.id) }, createdAt: { gte: floor } },
    select: { entityId: true, createdAt: true },
  });
  const pending = batch.filter((j) => !sent.some((e) => e.entityId === j.row.id && e.createdAt >= threshold(j)));
  if (pending.length === 0) return [];
  await notify(tx, ctx, at, POOL_REMINDER_EVENT, pending, () => ({}));
  return pending.map((j) => j.row.id);
}

/**
 * Writes one outbox event per account telling whom to notify: the primary owner, or for an
 * account owned by a team alone, the team's leader then. One insert for the whole batch.
 */
async function notify(tx: Tx, ctx: ServiceContext, at: Date, type: string, judged: Judged[], extra: (j: Judged) => Record<string, unknown>): Promise<void> {
  if (judged.length === 0) return;
  const { tenantId, type: actorType, id: actorId } = ctx.actor;
  const leaders = await leadersOf(tx, tenantId, judged.map((j) => j.row.ownerTeamId), at);
  const rows = judged.map((j) => {
    // The shape of every outbox payload (see recordChange): the actor, then before and after.
    const payload = JSON.stringify({
      actor: { type: actorType, id: actorId },
      before: null,
      after: { ...toPoolReturn(j), notify: j.row.primaryOwnerId ?? (j.row.ownerTeamId ? (leaders.get(j.row.ownerTeamId) ?? null) : null), ...extra(j) },
    });
    return Prisma.sql`(${newId('evt', ctx.clock)}, ${tenantId}, ${type}, ${'account'}, ${j.row.id}, ${payload}, ${at})`;
  });
  // One multi-row INSERT per few hundred events (the ORM's createMany costs far more per row).
  await insertRows(tx, Prisma.sql`INSERT INTO "OutboxEvent" ("id", "tenantId", "type", "entityType", "entityId", "payload", "createdAt") VALUES `, rows);
}

/** The leader in force at `at` of each given team. */
async function leadersOf(tx: Tx, tenantId: string, teamIds: (string | null)[], at: Date): Promise<Map<string, string>> {
  const ids = [...new Set(teamIds.filter((id): id is string => id !== null))];
  if (ids.length === 0) return new Map();
  const rows = await tx.teamMembership.findMany({
    where: { tenantId, teamId: { in: ids }, role: 'leader', validFrom: { lte: at }, OR: [{ validTo: null }, { validTo: { gt: at } }] },
    select: { teamId: true, userId: true },
    orderBy: { validFrom: 'asc' },
  });
  return new Map(rows.map((r) => [r.teamId, r.userId]));
}

/** One sweep writes at a time per tenant on PostgreSQL (SQLite runs one write transaction at a time anyway). */
async function lockSweep(tx: Tx, ctx: ServiceContext): Promise<void> {
  if (ctx.provider !== 'postgresql') return;
  const key = `crmkit:pool-sweep:${ctx.actor.tenantId}`;
  await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext(${key}))) AS l`;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The smallest event id `newId('evt', …)` can make at or after `at` (ids begin with their time, base32). */
function eventIdFloor(at: Date): string {
  let time = '';
  for (let i = 0, t = at.getTime(); i < 10; i++, t = Math.floor(t / 32)) time = CROCKFORD[t % 32] + time;
  return `evt_${time}`;
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
