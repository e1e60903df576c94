import { createTeamInputSchema, CrmError, newId, type Team } from '@crmkit/core';
import type { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { assertManagesTeam, managementOf } from '../visibility.js';
import { actorIdOf, assertActiveUsers, loadTeam, teamAt } from './team-rows.js';

/**
 * Creates a sales team with its leader and optional members, from now on, optionally as a
 * sub-team of `parentTeamId`. The leader and members must be active users of the tenant. A
 * manager creates only sub-teams of teams they manage (FORBIDDEN otherwise); a top-level team
 * takes an admin.
 */
export async function createTeam(ctx: ServiceContext, input: z.input<typeof createTeamInputSchema>): Promise<Team> {
  authorize(ctx.actor, 'teams:manage');
  const data = createTeamInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const memberIds = [...new Set(data.memberIds ?? [])].filter((id) => id !== data.leaderId);
  return inTransaction(ctx, async (tx) => {
    if (data.parentTeamId) await loadTeam(tx, tenantId, data.parentTeamId);
    const scope = await managementOf(ctx, tx);
    if (!scope.all) {
      if (!data.parentTeamId) {
        const message = `the ${ctx.actor.role} role may create only sub-teams of teams they manage; a top-level team takes an admin`;
        throw new CrmError('FORBIDDEN', message, { details: { parentTeamId: null, role: ctx.actor.role } });
      }
      assertManagesTeam(ctx, scope, data.parentTeamId);
    }
    await assertActiveUsers(tx, ctx, [['leaderId', data.leaderId], ...(data.memberIds ?? []).map((id, i) => [`memberIds.${i}`, id] as const)]);
    const now = ctx.clock.now();
    const id = newId('tm', ctx.clock);
    const reason = data.reason ?? 'team created';
    const row = await tx.team.create({ data: { id, tenantId, name: data.name, parentTeamId: data.parentTeamId ?? null, createdAt: now, archivedAt: null } });
    const actorId = actorIdOf(ctx);
    await tx.teamMembership.createMany({
      data: [
        { id: newId('mbr', ctx.clock), tenantId, teamId: id, userId: data.leaderId, role: 'leader', validFrom: now, validTo: null, reason, actorId },
        ...memberIds.map((userId) => ({ id: newId('mbr', ctx.clock), tenantId, teamId: id, userId, role: 'member', validFrom: now, validTo: null, reason, actorId })),
      ],
    });
    const team = await teamAt(tx, tenantId, row, now);
    await recordChange(tx, ctx, { action: 'team.created', entityType: 'team', entityId: id, before: null, after: { ...team, reason } });
    return team;
  });
}
