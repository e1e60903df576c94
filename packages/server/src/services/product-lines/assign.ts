import { assignProductLineInputSchema, CrmError, newId, type Team } from '@crmkit/core';
import type { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { changeTeam } from '../teams/members.js';
import { actorIdOf, assertActiveUsers, leaderAt } from '../teams/team-rows.js';
import { assertManagesTeam, managementOf } from '../visibility.js';
import { loadProductLine } from './product-lines.js';

/**
 * Makes a team member answer for a product line within the team from now on (`userId: null`
 * leaves it unassigned), closing the previous assignment. The user must be active and belong to
 * the team now (VALIDATION otherwise). Those who manage the team may do this (admins; managers for
 * the teams they lead and their sub-teams), and so may the team's own leader (FORBIDDEN otherwise).
 */
export async function assignProductLine(ctx: ServiceContext, input: z.input<typeof assignProductLineInputSchema>): Promise<Team> {
  authorize(ctx.actor, 'teams:read');
  const { teamId, productLineId, userId, reason } = assignProductLineInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const guard = async (tx: Tx, _team: unknown, now: Date) => {
    if (ctx.actor.type === 'user' && (await leaderAt(tx, tenantId, teamId, now)) === ctx.actor.id) return;
    authorize(ctx.actor, 'teams:manage');
    assertManagesTeam(ctx, await managementOf(ctx, tx), teamId);
  };
  return changeTeam(ctx, teamId, 'team.product_line_assigned', reason, guard, async (tx, _team, now) => {
    const productLine = await loadProductLine(tx, tenantId, productLineId);
    if (productLine.archivedAt) throw new CrmError('PRECONDITION_FAILED', `product line ${productLineId} is archived`, { details: { id: productLineId } });
    if (userId !== null) {
      await assertActiveUsers(tx, ctx, [['userId', userId]]);
      const membership = await tx.teamMembership.findFirst({ where: { tenantId, teamId, userId, validTo: null }, select: { id: true } });
      if (!membership) throw CrmError.validation('userId', `${userId} is not a member of team ${teamId}`);
    }
    const current = await tx.productLineAssignment.findFirst({ where: { tenantId, teamId, productLineId, validTo: null } });
    if ((current?.userId ?? null) === userId) return false;
    if (current) await tx.productLineAssignment.update({ where: { id: current.id }, data: { validTo: now } });
    if (userId !== null) {
      await tx.productLineAssignment.create({ data: { id: newId('pla', ctx.clock), tenantId, teamId, productLineId, userId, validFrom: now, validTo: null, reason, actorId: actorIdOf(ctx) } });
    }
    return true;
  });
}
