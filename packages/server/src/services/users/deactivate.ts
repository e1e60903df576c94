import { CrmError, deactivateUserInputSchema, deactivationSchema, newId } from '@crmkit/core';
import type { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { changeOwnershipMany, type OwnershipState } from '../ownership/change-ownership.js';
import { lockSubject } from '../teams/team-rows.js';
import { forgetStanding, lockUsers, nextRevocation, openInactivity } from './standing.js';

export type Deactivation = z.infer<typeof deactivationSchema>;

/**
 * A user leaves: in one transaction every open responsibility moves on and the user is marked
 * inactive. Accounts they own move via `changeOwnershipMany` (cause `departure`): as primary owner
 * to `reassignTo`, or with `toPool` to the pool (an account owned by a team stays with the team,
 * only its primary owner is cleared); as secondary owner to `reassignTo` or to nobody. Their team
 * memberships close; a team they lead passes to `reassignTo` (with `toPool` this is refused,
 * naming the teams whose leader must change first). Their product-line assignments close and
 * pass to `reassignTo` where they are a member of that team. Routing overrides naming them move
 * to `reassignTo` or close. Delegations from and to them end. Every period is closed, none deleted.
 * Their inactivity window opens at this instant (routing as of earlier instants still names them),
 * and their tokens issued up to now are refused, so a later reactivation does not revive them.
 * On PostgreSQL the leaver's row is locked first and the heir's shared: a concurrent write that gives
 * either of them work (which reads them `FOR SHARE`, see `assertActiveUsers`) is either moved on
 * with the rest or refused, never left with an inactive user.
 */
export async function deactivateUser(ctx: ServiceContext, input: z.input<typeof deactivateUserInputSchema>): Promise<Deactivation> {
  authorize(ctx.actor, 'users:write');
  const data = deactivateUserInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const { userId, reason } = data;
  const reassignTo = 'reassignTo' in data ? data.reassignTo : null;
  if (reassignTo === userId) throw CrmError.validation('reassignTo', 'a leaving user cannot take over their own work');
  const actorId = `${ctx.actor.type}:${ctx.actor.id}`;
  return inTransaction(ctx, async (tx) => {
    // The teams the leader hands over are locked first, as teams.setLeader locks them (subjects, then
    // users, then accounts): a concurrent leader change then runs wholly before or after this one.
    const led = await tx.teamMembership.findMany({ where: { tenantId, userId, role: 'leader', validTo: null }, select: { teamId: true } });
    for (const teamId of [...new Set(led.map((m) => m.teamId))].sort()) await lockSubject(tx, ctx, `team:${teamId}`);
    // Then the users: a write giving the leaver or the heir work either commits before this reads
    // their work (and it moves on), or waits and then finds them inactive.
    await lockUsers(tx, ctx, { update: [userId], share: reassignTo === null ? [] : [reassignTo] });
    const at = ctx.clock.now();
    const user = await tx.user.findUnique({ where: { tenantId_id: { tenantId, id: userId } } });
    if (!user) throw CrmError.notFound('user', userId);
    if (!user.active) throw new CrmError('PRECONDITION_FAILED', `user ${userId} is already deactivated`, { details: { userId } });
    if (reassignTo !== null) {
      const heir = await tx.user.findUnique({ where: { tenantId_id: { tenantId, id: reassignTo } }, select: { active: true } });
      if (!heir) throw CrmError.notFound('user', reassignTo);
      if (!heir.active) throw new CrmError('PRECONDITION_FAILED', `user ${reassignTo} is deactivated and cannot take over`, { details: { reassignTo } });
    }

    const openOrFuture = { OR: [{ validTo: null }, { validTo: { gt: at } }] };
    const memberships = await tx.teamMembership.findMany({ where: { tenantId, userId, ...openOrFuture }, orderBy: { validFrom: 'asc' } });
    const ledTeamIds = [...new Set(memberships.filter((m) => m.role === 'leader' && m.validFrom <= at).map((m) => m.teamId))];
    if (reassignTo === null && ledTeamIds.length > 0) {
      throw new CrmError('PRECONDITION_FAILED', `user ${userId} leads ${ledTeamIds.join(', ')}; change the leader first or deactivate with reassignTo`, { details: { userId, teamIds: ledTeamIds } });
    }

    const accounts = await moveAccounts(tx, ctx, { userId, reassignTo, reason, at });

    // Team memberships close (a future one closes where it would have started).
    for (const m of memberships) await tx.teamMembership.update({ where: { id: m.id }, data: { validTo: m.validFrom > at ? m.validFrom : at } });
    if (reassignTo !== null) {
      for (const teamId of ledTeamIds) {
        await tx.teamMembership.updateMany({ where: { tenantId, teamId, userId: reassignTo, validFrom: { lte: at }, ...openOrFuture }, data: { validTo: at } });
        await tx.teamMembership.create({ data: { id: newId('mbr', ctx.clock), tenantId, teamId, userId: reassignTo, role: 'leader', validFrom: at, validTo: null, reason: `departure: ${reason}`, actorId } });
      }
    }

    // Product lines pass to the heir only within teams the heir belongs to (now, after any leadership handover).
    const assignments = await tx.productLineAssignment.findMany({ where: { tenantId, userId, ...openOrFuture } });
    const heirTeams = new Set(
      reassignTo === null
        ? []
        : (await tx.teamMembership.findMany({ where: { tenantId, userId: reassignTo, validFrom: { lte: at }, OR: [{ validTo: null }, { validTo: { gt: at } }] }, select: { teamId: true } })).map((m) => m.teamId),
    );
    for (const a of assignments) {
      await tx.productLineAssignment.update({ where: { id: a.id }, data: { validTo: a.validFrom > at ? a.validFrom : at } });
      if (reassignTo !== null && heirTeams.has(a.teamId) && a.validFrom <= at) {
        await tx.productLineAssignment.create({
          data: { id: newId('pla', ctx.clock), tenantId, teamId: a.teamId, productLineId: a.productLineId, userId: reassignTo, validFrom: at, validTo: null, reason: `departure: ${reason}`, actorId },
        });
      }
    }

    const overrides = await tx.routingOverride.findMany({ where: { tenantId, userId, ...openOrFuture } });
    for (const o of overrides) {
      await tx.routingOverride.update({ where: { id: o.id }, data: { validTo: o.validFrom > at ? o.validFrom : at } });
      if (reassignTo !== null && o.validFrom <= at) {
        await tx.routingOverride.create({
          data: { id: newId('ovr', ctx.clock), tenantId, accountId: o.accountId, productLineId: o.productLineId, purpose: o.purpose, userId: reassignTo, validFrom: at, validTo: null, reason: `departure: ${reason}`, actorId },
        });
      }
    }

    const ended = await tx.delegation.updateMany({ where: { tenantId, endedAt: null, validTo: { gt: at }, OR: [{ delegatorId: userId }, { delegateId: userId }] }, data: { endedAt: at } });

    await openInactivity(tx, ctx, { userId, at, reason });
    const after = await tx.user.update({
      where: { tenantId_id: { tenantId, id: userId } },
      data: { active: false, updatedAt: at, tokensRevokedBefore: nextRevocation(user.tokensRevokedBefore, at) },
    });
    const summary: Deactivation = {
      userId,
      reassignedTo: reassignTo,
      accounts,
      teams: [...new Set(memberships.map((m) => m.teamId))],
      productLineAssignments: assignments.length,
      delegationsEnded: ended.count,
    };
    await recordChange(tx, ctx, {
      action: 'user.deactivated',
      entityType: 'user',
      entityId: userId,
      before: { active: true },
      after: { active: after.active, reason, ...summary, routingOverrides: overrides.length },
    });
    return summary;
  }).then(forgetStanding(ctx, userId));
}

/** Moves every account the user owns (primary or secondary); answers their ids. */
async function moveAccounts(tx: Tx, ctx: ServiceContext, q: { userId: string; reassignTo: string | null; reason: string; at: Date }): Promise<string[]> {
  const { userId, reassignTo } = q;
  // Locked before they are read (PostgreSQL): a concurrent ownership change then waits, and the owners passed on as `before` are current.
  if (ctx.provider === 'postgresql') {
    await tx.$queryRaw`SELECT "id" FROM "Account" WHERE "tenantId" = ${ctx.actor.tenantId} AND ("primaryOwnerId" = ${userId} OR "secondaryOwnerId" = ${userId}) ORDER BY "id" FOR UPDATE`;
  }
  const owned = await tx.account.findMany({
    where: { tenantId: ctx.actor.tenantId, OR: [{ primaryOwnerId: userId }, { secondaryOwnerId: userId }] },
    select: { id: true, ownerTeamId: true, primaryOwnerId: true, secondaryOwnerId: true },
    orderBy: { id: 'asc' },
  });
  // One set-based change for all of them: a leaver can own thousands of accounts.
  await changeOwnershipMany(
    tx,
    ctx,
    owned.map((a) => {
      const primaryOwnerId = a.primaryOwnerId === userId ? reassignTo : a.primaryOwnerId;
      const secondary = a.secondaryOwnerId === userId ? reassignTo : a.secondaryOwnerId;
      let next: OwnershipState = { teamId: a.ownerTeamId, primaryOwnerId, secondaryOwnerId: secondary === primaryOwnerId ? null : secondary };
      // A personal account whose owner leaves without an heir goes to the pool whole.
      if (next.teamId === null && next.primaryOwnerId === null) next = { teamId: null, primaryOwnerId: null, secondaryOwnerId: null };
      return { accountId: a.id, before: { teamId: a.ownerTeamId, primaryOwnerId: a.primaryOwnerId, secondaryOwnerId: a.secondaryOwnerId }, next, cause: 'departure', reason: q.reason, at: q.at };
    }),
  );
  return owned.map((a) => a.id);
}
