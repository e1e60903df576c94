import { addTeamMemberInputSchema, CrmError, newId, removeTeamMemberInputSchema, setTeamLeaderInputSchema, type Team } from '@crmkit/core';
import type { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { assertManagesTeam, managementOf } from '../visibility.js';
import { actorIdOf, assertActiveUsers, loadTeam, lockSubject, teamAt, type TeamRow } from './team-rows.js';

/** Who may change a team: FORBIDDEN (or NOT_FOUND) unless the caller may. Runs on the locked team. */
export type TeamGuard = (tx: Tx, team: TeamRow, now: Date) => Promise<void>;

/** Only those who manage the team: admins, and managers for the teams they lead and their sub-teams. */
export function managersOnly(ctx: ServiceContext): TeamGuard {
  return async (tx, team) => assertManagesTeam(ctx, await managementOf(ctx, tx), team.id);
}

/**
 * Runs a membership change on a locked team the guard lets the caller change, auditing the team
 * before and after (nothing if unchanged).
 */
export async function changeTeam(
  ctx: ServiceContext,
  teamId: string,
  action: string,
  reason: string,
  guard: TeamGuard,
  change: (tx: Tx, team: TeamRow, now: Date) => Promise<boolean>,
): Promise<Team> {
  const { tenantId } = ctx.actor;
  return inTransaction(ctx, async (tx) => {
    await lockSubject(tx, ctx, `team:${teamId}`);
    const row = await loadTeam(tx, tenantId, teamId);
    const now = ctx.clock.now();
    await guard(tx, row, now);
    const before = await teamAt(tx, tenantId, row, now);
    if (!(await change(tx, row, now))) return before;
    const after = await teamAt(tx, tenantId, row, now);
    await recordChange(tx, ctx, { action, entityType: 'team', entityId: teamId, before, after: { ...after, reason } });
    return after;
  });
}

/**
 * Adds a member to the team from now on. Adding someone who already belongs to it changes nothing.
 * Admins may change any team, a manager only those they lead and their sub-teams (FORBIDDEN).
 */
export async function addTeamMember(ctx: ServiceContext, input: z.input<typeof addTeamMemberInputSchema>): Promise<Team> {
  authorize(ctx.actor, 'teams:manage');
  const { teamId, userId, reason } = addTeamMemberInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  return changeTeam(ctx, teamId, 'team.member_added', reason, managersOnly(ctx), async (tx, _team, now) => {
    await assertActiveUsers(tx, ctx, [['userId', userId]]);
    const open = await tx.teamMembership.findFirst({ where: { tenantId, teamId, userId, validTo: null } });
    if (open) return false;
    await tx.teamMembership.create({ data: { id: newId('mbr', ctx.clock), tenantId, teamId, userId, role: 'member', validFrom: now, validTo: null, reason, actorId: actorIdOf(ctx) } });
    return true;
  });
}

/**
 * Ends a member's membership now, and with it their product-line assignments in the team. The
 * leader cannot be removed (PRECONDITION_FAILED): set another leader first. Only for those who
 * manage the team (FORBIDDEN).
 */
export async function removeTeamMember(ctx: ServiceContext, input: z.input<typeof removeTeamMemberInputSchema>): Promise<Team> {
  authorize(ctx.actor, 'teams:manage');
  const { teamId, userId, reason } = removeTeamMemberInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  return changeTeam(ctx, teamId, 'team.member_removed', reason, managersOnly(ctx), async (tx, _team, now) => {
    const open = await tx.teamMembership.findFirst({ where: { tenantId, teamId, userId, validTo: null } });
    if (!open) throw CrmError.validation('userId', `${userId} is not a member of team ${teamId}`);
    if (open.role === 'leader') {
      throw new CrmError('PRECONDITION_FAILED', `${userId} leads team ${teamId}; set another leader before removing them`, { details: { teamId, leaderId: userId } });
    }
    await tx.teamMembership.update({ where: { id: open.id }, data: { validTo: now } });
    await tx.productLineAssignment.updateMany({ where: { tenantId, teamId, userId, validTo: null }, data: { validTo: now } });
    return true;
  });
}

/**
 * Makes `userId` the team's leader from now on: the previous leader's leader period ends now and
 * they stay on as a member, so the team has exactly one leader at every instant. Only for those
 * who manage the team (FORBIDDEN): a manager may hand over a team they lead, or a sub-team's lead.
 */
export async function setTeamLeader(ctx: ServiceContext, input: z.input<typeof setTeamLeaderInputSchema>): Promise<Team> {
  authorize(ctx.actor, 'teams:manage');
  const { teamId, userId, reason } = setTeamLeaderInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  return changeTeam(ctx, teamId, 'team.leader_changed', reason, managersOnly(ctx), async (tx, _team, now) => {
    await assertActiveUsers(tx, ctx, [['userId', userId]]);
    const open = await tx.teamMembership.findMany({ where: { tenantId, teamId, validTo: null } });
    const leaders = open.filter((m) => m.role === 'leader');
    if (leaders.length === 1 && leaders[0]!.userId === userId) return false;
    const actorId = actorIdOf(ctx);
    for (const old of leaders) {
      await tx.teamMembership.update({ where: { id: old.id }, data: { validTo: now } });
      await tx.teamMembership.create({ data: { id: newId('mbr', ctx.clock), tenantId, teamId, userId: old.userId, role: 'member', validFrom: now, validTo: null, reason, actorId } });
    }
    const asMember = open.filter((m) => m.userId === userId && m.role === 'member');
    if (asMember.length > 0) await tx.teamMembership.updateMany({ where: { id: { in: asMember.map((m) => m.id) } }, data: { validTo: now } });
    await tx.teamMembership.create({ data: { id: newId('mbr', ctx.clock), tenantId, teamId, userId, role: 'leader', validFrom: now, validTo: null, reason, actorId } });
    return true;
  });
}
