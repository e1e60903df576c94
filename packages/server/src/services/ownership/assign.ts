import { assignOwnershipInputSchema, CrmError, type OwnershipPeriod } from '@crmkit/core';
import type { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { inTransaction } from '../audit/record.js';
import { assertActiveUsers, loadTeam, lockSubject } from '../teams/team-rows.js';
import { assertCanSeeAccount, assertManagesTeam, managementOf } from '../visibility.js';
import { changeOwnership, toPeriod, type OwnershipState } from './change-ownership.js';

/**
 * Sets an account's owning team, primary and secondary owner from now on (fields left out keep
 * their value, null clears one), closing the period in force and opening the next. The team must
 * exist in the tenant (NOT_FOUND) and the owners must be active users of it (VALIDATION on the
 * field). The caller must see the account (NOT_FOUND) and manage the team it gives the account to
 * (FORBIDDEN: a manager gives accounts only to teams they lead or their sub-teams, or to no team).
 * Answers the ownership period in force afterwards (null: the account has never been owned).
 */
export async function assignOwnership(ctx: ServiceContext, input: z.input<typeof assignOwnershipInputSchema>): Promise<OwnershipPeriod | null> {
  authorize(ctx.actor, 'ownership:assign');
  const data = assignOwnershipInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  return inTransaction(ctx, async (tx) => {
    await lockSubject(tx, ctx, `ownership:${data.accountId}`);
    await assertCanSeeAccount(ctx, data.accountId, tx);
    const account = await tx.account.findFirstOrThrow({ where: { id: data.accountId, tenantId }, select: { id: true, archivedAt: true, ownerTeamId: true, primaryOwnerId: true, secondaryOwnerId: true } });
    if (account.archivedAt) throw new CrmError('PRECONDITION_FAILED', `account ${account.id} is archived`, { details: { id: account.id } });
    if (data.teamId) {
      await loadTeam(tx, tenantId, data.teamId);
      assertManagesTeam(ctx, await managementOf(ctx, tx), data.teamId);
    }
    const refs: (readonly [string, string])[] = [];
    if (data.primaryOwnerId) refs.push(['primaryOwnerId', data.primaryOwnerId]);
    if (data.secondaryOwnerId) refs.push(['secondaryOwnerId', data.secondaryOwnerId]);
    await assertActiveUsers(tx, ctx, refs);
    const next: OwnershipState = {
      teamId: data.teamId === undefined ? account.ownerTeamId : data.teamId,
      primaryOwnerId: data.primaryOwnerId === undefined ? account.primaryOwnerId : data.primaryOwnerId,
      secondaryOwnerId: data.secondaryOwnerId === undefined ? account.secondaryOwnerId : data.secondaryOwnerId,
    };
    if (next.primaryOwnerId !== null && next.primaryOwnerId === next.secondaryOwnerId) {
      throw CrmError.validation('secondaryOwnerId', 'the secondary owner must be someone other than the primary owner');
    }
    const period = await changeOwnership(tx, ctx, data.accountId, next, { cause: 'assign', reason: data.reason });
    if (period) return period;
    const open = await tx.accountOwnership.findFirst({ where: { tenantId, accountId: data.accountId, validTo: null }, orderBy: { validFrom: 'desc' } });
    return open ? toPeriod(open) : null;
  });
}
