import { CrmError, canSee, visibilityScope, type VisibilityScope } from '@crmkit/core';
import type { ServiceContext } from '../context.js';
import type { Db, Tx } from '../db/client.js';

/**
 * The actor's visibility scope now: teams they lead (with sub-teams) or belong to, and who has
 * delegated to them. Admins, service users and integrations see the whole tenant.
 */
export async function visibilityOf(ctx: ServiceContext, db: Db | Tx = ctx.db): Promise<VisibilityScope> {
  const { actor } = ctx;
  if (actor.type !== 'user' || actor.role === 'admin' || actor.role === 'service' || actor.role === 'integration') return { all: true };
  const at = ctx.clock.now();
  const inForce = { validFrom: { lte: at }, OR: [{ validTo: null }, { validTo: { gt: at } }] };
  const [memberships, delegations] = await Promise.all([
    db.teamMembership.findMany({ where: { tenantId: actor.tenantId, userId: actor.id, ...inForce }, select: { teamId: true, role: true } }),
    db.delegation.findMany({ where: { tenantId: actor.tenantId, delegateId: actor.id, endedAt: null, validFrom: { lte: at }, validTo: { gt: at } }, select: { delegatorId: true, scope: true, accountIds: true } }),
  ]);
  const led = memberships.filter((m) => m.role === 'leader').map((m) => m.teamId);
  const ledTeamIds = new Set(led);
  // Sub-teams of led teams, level by level (team trees are shallow).
  for (let frontier = led; frontier.length > 0; ) {
    const children = await db.team.findMany({ where: { tenantId: actor.tenantId, parentTeamId: { in: frontier } }, select: { id: true } });
    frontier = children.map((c) => c.id).filter((id) => !ledTeamIds.has(id));
    frontier.forEach((id) => ledTeamIds.add(id));
  }
  return visibilityScope({
    actorId: actor.id,
    role: actor.role,
    ledTeamIds: [...ledTeamIds],
    memberTeamIds: memberships.map((m) => m.teamId),
    delegatorIds: delegations.filter((d) => d.scope === 'all').map((d) => d.delegatorId),
    delegatedAccountIds: delegations.filter((d) => d.scope === 'accounts').flatMap((d) => JSON.parse(d.accountIds) as string[]),
  });
}

/** The Prisma `where` fragment that keeps only visible accounts (empty for the whole tenant). */
export function visibleAccountsWhere(scope: VisibilityScope) {
  if (scope.all) return {};
  return {
    OR: [
      { ownerTeamId: { in: [...scope.teamIds] } },
      { primaryOwnerId: { in: [...scope.ownerIds] } },
      { secondaryOwnerId: { in: [...scope.ownerIds] } },
      { id: { in: [...scope.accountIds] } },
    ],
  };
}

/** NOT_FOUND unless the account exists in the tenant and the actor may see it (the same answer either way). */
export async function assertCanSeeAccount(ctx: ServiceContext, accountId: string, db: Db | Tx = ctx.db): Promise<void> {
  const account = await db.account.findFirst({ where: { id: accountId, tenantId: ctx.actor.tenantId }, select: { id: true, ownerTeamId: true, primaryOwnerId: true, secondaryOwnerId: true } });
  if (!account || !canSee(await visibilityOf(ctx, db), account)) throw CrmError.notFound('account', accountId);
}
