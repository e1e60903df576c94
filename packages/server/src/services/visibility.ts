import { CrmError, canSee, visibilityScope, type VisibilityScope } from '@crmkit/core';
import type { Actor, ServiceContext } from '../context.js';
import { ownedAccountSelect, visibilityWhere, type AccountVisibility, type OwnedAccountRow } from '../db/account-reads.js';
import type { Db, Tx } from '../db/client.js';

export type { AccountVisibility };

/**
 * Whether the actor sees every account of its tenant without asking the database: admins,
 * service users and integrations, and every API key (a key is narrowed by its scopes instead).
 * Read paths test this first so these callers pay no visibility query.
 */
export function seesWholeTenant(actor: Actor): boolean {
  return actor.type !== 'user' || actor.role === 'admin' || actor.role === 'service' || actor.role === 'integration';
}

const WHOLE_TENANT: VisibilityScope = { all: true };

/** The account ids of an `accounts`-scope delegation (stored as a JSON array); anything else names none. */
function delegatedIds(json: string): string[] {
  try {
    const ids: unknown = JSON.parse(json);
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * The actor's visibility scope now: teams they lead (with sub-teams) or belong to, and who has
 * delegated to them. Admins, service users and integrations see the whole tenant. Memberships
 * and delegations count while in force at the clock's now: one that ended (or has not begun)
 * grants nothing, and an ended delegation (`endedAt`) grants nothing either.
 */
export async function visibilityOf(ctx: ServiceContext, db: Db | Tx = ctx.db): Promise<VisibilityScope> {
  const { actor } = ctx;
  if (seesWholeTenant(actor)) return WHOLE_TENANT;
  const at = ctx.clock.now();
  const inForce = { validFrom: { lte: at }, OR: [{ validTo: null }, { validTo: { gt: at } }] };
  const [memberships, delegations] = await Promise.all([
    db.teamMembership.findMany({ where: { tenantId: actor.tenantId, userId: actor.id, ...inForce }, select: { teamId: true, role: true } }),
    db.delegation.findMany({ where: { tenantId: actor.tenantId, delegateId: actor.id, endedAt: null, validFrom: { lte: at }, validTo: { gt: at } }, select: { delegatorId: true, scope: true, accountIds: true } }),
  ]);
  const led = actor.role === 'manager' ? memberships.filter((m) => m.role === 'leader').map((m) => m.teamId) : [];
  const ledTeamIds = new Set(led);
  // Sub-teams of led teams, level by level (team trees are shallow; the set stops a corrupt cycle).
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
    delegatedAccountIds: delegations.filter((d) => d.scope === 'accounts').flatMap((d) => delegatedIds(d.accountIds)),
  });
}

/** The actor's visibility as the account read paths take it: `undefined` for the whole tenant. */
export async function accountVisibilityOf(ctx: ServiceContext, db: Db | Tx = ctx.db): Promise<AccountVisibility | undefined> {
  const scope = await visibilityOf(ctx, db);
  return scope.all ? undefined : scope;
}

/** The Prisma `where` fragment that keeps only visible accounts (empty for the whole tenant). */
export function visibleAccountsWhere(scope: VisibilityScope) {
  return scope.all ? {} : visibilityWhere(scope);
}

/**
 * An account of the actor's tenant that `scope` lets them see (with its current owners), or
 * NOT_FOUND: the same answer for an unknown id, another tenant's and an invisible account.
 */
export async function loadVisibleAccount(db: Db | Tx, tenantId: string, id: string, scope: VisibilityScope): Promise<OwnedAccountRow> {
  const row = await db.account.findFirst({ where: { id, tenantId }, select: ownedAccountSelect });
  if (!row || !canSee(scope, row)) throw CrmError.notFound('account', id);
  return row;
}

/** NOT_FOUND unless the account exists in the tenant and the actor may see it (the same answer either way). */
export async function assertCanSeeAccount(ctx: ServiceContext, accountId: string, db: Db | Tx = ctx.db): Promise<void> {
  await loadVisibleAccount(db, ctx.actor.tenantId, accountId, await visibilityOf(ctx, db));
}
