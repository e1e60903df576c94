import { CrmError, POOL_LOSS_CAUSES, POOL_TAKING_CAUSES, assertCanClaim, canSee, claimInputSchema, policyFor, type OwnershipPeriod } from '@crmkit/core';
import type { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { inTransaction } from '../audit/record.js';
import { changeOwnership } from '../ownership/change-ownership.js';
import { assertCallerActive } from '../users/standing.js';
import { visibilityOf } from '../visibility.js';
import { inPool } from './due.js';
import { loadPoolPolicies } from './policy.js';

/**
 * A rep takes an account from the pool as its primary owner (cause `claim`). Refused over the
 * rep's cap (accounts they hold as primary owner, of the policy's grade or all for `*`) and,
 * within the policy's reclaim block, when they lost this account to the pool (return or release).
 */
export async function claimAccount(ctx: ServiceContext, input: z.input<typeof claimInputSchema>): Promise<OwnershipPeriod> {
  authorize(ctx.actor, 'pool:claim');
  const { accountId } = claimInputSchema.parse(input);
  const { tenantId, id: userId } = ctx.actor;
  if (ctx.actor.type !== 'user') throw new CrmError('FORBIDDEN', 'only a user can claim an account; a manager assigns one with pool.assign', { details: { actorType: ctx.actor.type } });
  return inTransaction(ctx, async (tx) => {
    await lockClaimsOf(tx, ctx, userId);
    await assertCallerActive(tx, ctx);
    const account = await loadPoolAccount(tx, ctx, accountId);
    const at = ctx.clock.now();
    const policy = policyFor(await loadPoolPolicies(tx, tenantId), account.grade);
    const heldCount = policy
      ? await tx.account.count({ where: { tenantId, primaryOwnerId: userId, archivedAt: null, ...(policy.grade === '*' ? {} : { grade: policy.grade }) } })
      : 0;
    const lostAt = policy ? await lostToPoolAt(tx, tenantId, accountId, userId) : null;
    assertCanClaim({ userId, at, policy, heldCount, lostAt });
    await takeFromPool(tx, ctx, accountId, at);
    const period = await changeOwnership(tx, ctx, accountId, { teamId: null, primaryOwnerId: userId, secondaryOwnerId: account.secondaryOwnerId }, { cause: 'claim', at });
    return period!;
  });
}

/**
 * An account of the tenant that is in the pool and active. One taken from the pool (its period in
 * force began with a claim or a pool assignment) by someone else answers CONFLICT without owners,
 * whoever asks: the loser of two takers at once (on PostgreSQL they may read it only after the
 * winner committed) and anyone asking later. Any other owned account (or one the caller took or
 * owns) answers PRECONDITION_FAILED, naming its owners, when the caller can see it, else NOT_FOUND.
 */
export async function loadPoolAccount(tx: Tx, ctx: ServiceContext, accountId: string) {
  const { tenantId } = ctx.actor;
  const account = await tx.account.findFirst({
    where: { id: accountId, tenantId },
    select: { id: true, grade: true, archivedAt: true, ownerTeamId: true, primaryOwnerId: true, secondaryOwnerId: true },
  });
  if (!account) throw CrmError.notFound('account', accountId);
  if (!inPool(account)) {
    // Taken from the pool (by a claim or an assignment) by someone else: the same CONFLICT whoever
    // asks, naming nobody. Whoever took it, or now owns it, is told it is not in the pool.
    const taken = await tx.accountOwnership.findFirst({ where: { tenantId, accountId, validTo: null, cause: { in: [...POOL_TAKING_CAUSES] } }, select: { actorId: true } });
    const self = ctx.actor.type === 'user' && (account.primaryOwnerId === ctx.actor.id || account.secondaryOwnerId === ctx.actor.id);
    if (taken && !self && taken.actorId !== `${ctx.actor.type}:${ctx.actor.id}`) throw takenMeanwhile(accountId);
    if (canSee(await visibilityOf(ctx, tx), account)) {
      throw new CrmError('PRECONDITION_FAILED', `account ${accountId} is not in the pool`, { details: { accountId, ownerTeamId: account.ownerTeamId, primaryOwnerId: account.primaryOwnerId } });
    }
    throw CrmError.notFound('account', accountId);
  }
  if (account.archivedAt) throw new CrmError('PRECONDITION_FAILED', `account ${accountId} is archived`, { details: { id: accountId } });
  return account;
}

/**
 * Marks the account taken only while it is still in the pool and not archived: on PostgreSQL a
 * concurrent claim or archive holds the row, and this then finds the account gone (CONFLICT) or
 * archived (PRECONDITION_FAILED) instead of overwriting what the other committed.
 */
export async function takeFromPool(tx: Tx, ctx: ServiceContext, accountId: string, at: Date): Promise<void> {
  const where = { id: accountId, tenantId: ctx.actor.tenantId };
  const taken = await tx.account.updateMany({ where: { ...where, ownerTeamId: null, primaryOwnerId: null, archivedAt: null }, data: { updatedAt: at } });
  if (taken.count === 1) return;
  const now = await tx.account.findFirst({ where, select: { archivedAt: true } });
  if (now?.archivedAt) throw new CrmError('PRECONDITION_FAILED', `account ${accountId} is archived`, { details: { id: accountId } });
  throw takenMeanwhile(accountId);
}

/** The answer to a rep who asks for an account someone took from the pool: that it was taken, not by whom. */
const takenMeanwhile = (accountId: string) => new CrmError('CONFLICT', `account ${accountId} was taken from the pool meanwhile`, { details: { accountId } });

/**
 * When the user last lost this account to the pool: the start of the latest period caused by a
 * pool return or a release (core's POOL_LOSS_CAUSES) that followed a period in which they were
 * the primary owner. Read from the cause, never from the words of `reason`.
 */
async function lostToPoolAt(tx: Tx, tenantId: string, accountId: string, userId: string): Promise<Date | null> {
  const held = await tx.accountOwnership.findMany({ where: { tenantId, accountId, primaryOwnerId: userId, validTo: { not: null } }, select: { validTo: true } });
  if (held.length === 0) return null;
  const lost = await tx.accountOwnership.findFirst({
    where: {
      tenantId,
      accountId,
      validFrom: { in: held.map((h) => h.validTo!) },
      cause: { in: [...POOL_LOSS_CAUSES] },
    },
    orderBy: { validFrom: 'desc' },
    select: { validFrom: true },
  });
  return lost?.validFrom ?? null;
}

/** On PostgreSQL, one claim at a time per rep, so two concurrent claims cannot both fit under the cap. */
async function lockClaimsOf(tx: Tx, ctx: ServiceContext, userId: string): Promise<void> {
  if (ctx.provider !== 'postgresql') return;
  const key = `crmkit:pool-claim:${ctx.actor.tenantId}:${userId}`;
  await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext(${key}))) AS l`;
}
