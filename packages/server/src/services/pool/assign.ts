import { CrmError, poolAssignInputSchema, type OwnershipPeriod } from '@crmkit/core';
import type { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { inTransaction } from '../audit/record.js';
import { changeOwnership } from '../ownership/change-ownership.js';
import { lockUsers } from '../users/standing.js';
import { assertManagesTeam, assertManagesUser, managementOf } from '../visibility.js';
import { loadPoolAccount, takeFromPool } from './claim.js';

/**
 * A manager hands a pool account to a rep (cause `pool-assign`), optionally for one of the
 * rep's teams. Caps and reclaim blocks bind claims, not a manager's assignment. A manager hands
 * accounts only into teams they manage and only to themselves or the people in those teams
 * (FORBIDDEN otherwise); admins to anyone.
 */
export async function assignFromPool(ctx: ServiceContext, input: z.input<typeof poolAssignInputSchema>): Promise<OwnershipPeriod> {
  authorize(ctx.actor, 'pool:manage');
  const { accountId, userId, teamId, reason } = poolAssignInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  return inTransaction(ctx, async (tx) => {
    const account = await loadPoolAccount(tx, ctx, accountId);
    // Shared until commit (PostgreSQL), before the account is taken: a concurrent deactivation either moves the account on or refuses this.
    await lockUsers(tx, ctx, { share: [userId] });
    const user = await tx.user.findUnique({ where: { tenantId_id: { tenantId, id: userId } }, select: { active: true } });
    if (!user) throw CrmError.notFound('user', userId);
    if (!user.active) throw new CrmError('PRECONDITION_FAILED', `user ${userId} is deactivated`, { details: { userId } });
    const at = ctx.clock.now();
    const scope = await managementOf(ctx, tx);
    if (teamId !== undefined) {
      const team = await tx.team.findFirst({ where: { id: teamId, tenantId }, select: { archivedAt: true } });
      if (!team) throw CrmError.notFound('team', teamId);
      if (team.archivedAt) throw new CrmError('PRECONDITION_FAILED', `team ${teamId} is archived`, { details: { teamId } });
      assertManagesTeam(ctx, scope, teamId);
      const member = await tx.teamMembership.findFirst({ where: { tenantId, teamId, userId, validFrom: { lte: at }, OR: [{ validTo: null }, { validTo: { gt: at } }] }, select: { id: true } });
      if (!member) throw new CrmError('PRECONDITION_FAILED', `user ${userId} is not a member of team ${teamId}`, { details: { teamId, userId } });
    }
    // A member of a managed team is managed; checked after the team so a non-member answers as before.
    assertManagesUser(ctx, scope, userId, 'userId');
    await takeFromPool(tx, ctx, accountId, at);
    const period = await changeOwnership(tx, ctx, accountId, { teamId: teamId ?? null, primaryOwnerId: userId, secondaryOwnerId: account.secondaryOwnerId }, { cause: 'pool-assign', reason, at });
    return period!;
  });
}
