import {
  CrmError, canSee, heldScope, managementReach, managementScope, managesTeam, managesUser, roleSchema, visibilityScope,
  type ManagementScope, type Role, type VisibilityScope,
} from '@crmkit/core';
import type { Actor, ServiceContext } from '../context.js';
import { fromSqliteOwned, ownedAccountByIdSql, ownedAccountSelect, visibilityWhere, type AccountVisibility, type OwnedAccountRow, type SqliteOwnedAccountRow } from '../db/account-reads.js';
import type { SqliteWrite } from '../db/sqlite-writer.js';
import type { Db, Tx } from '../db/client.js';
import { inForceWhere } from './teams/team-rows.js';

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
 * Each root team with every sub-team below it, walked level by level (team trees are shallow; the
 * visited set stops a corrupt cycle). One query per level, none without roots.
 */
async function withSubTeams(db: Db | Tx, tenantId: string, roots: readonly string[]): Promise<Map<string, string[]>> {
  const children = new Map<string, string[]>();
  const seen = new Set(roots);
  for (let frontier = [...seen]; frontier.length > 0; ) {
    const rows = await db.team.findMany({ where: { tenantId, parentTeamId: { in: frontier } }, select: { id: true, parentTeamId: true } });
    frontier = [];
    for (const row of rows) {
      children.set(row.parentTeamId!, [...(children.get(row.parentTeamId!) ?? []), row.id]);
      if (!seen.has(row.id)) seen.add(row.id), frontier.push(row.id);
    }
  }
  const below = (root: string): string[] => {
    const found = new Set([root]);
    for (const id of found) for (const child of children.get(id) ?? []) found.add(child);
    return [...found];
  };
  return new Map(roots.map((root) => [root, below(root)]));
}

/** The teams a manager leads now with every sub-team below them (none for other roles). */
async function ledTeamsOf(db: Db | Tx, tenantId: string, role: Role, memberships: readonly { teamId: string; role: string }[]) {
  if (role !== 'manager') return [];
  const led = [...new Set(memberships.filter((m) => m.role === 'leader').map((m) => m.teamId))];
  return [...new Set([...(await withSubTeams(db, tenantId, led)).values()].flat())];
}

/**
 * What each user holds at `at` (`heldScope` in core): the accounts they own and those of their
 * teams, a manager's led sub-teams included, never delegated work nor the whole tenant. Roles come
 * from the users' rows; an unknown user holds nothing of a team.
 */
export async function holdingsOf(db: Db | Tx, tenantId: string, userIds: readonly string[], at: Date): Promise<Map<string, VisibilityScope>> {
  const ids = [...new Set(userIds)];
  const [users, memberships] = await Promise.all([
    db.user.findMany({ where: { tenantId, id: { in: ids } }, select: { id: true, role: true } }),
    db.teamMembership.findMany({ where: { tenantId, userId: { in: ids }, ...inForceWhere(at) }, select: { userId: true, teamId: true, role: true } }),
  ]);
  const roleOf = new Map(users.map((u) => [u.id, roleSchema.catch('rep').parse(u.role)]));
  const ledByManagers = new Set(memberships.filter((m) => m.role === 'leader' && roleOf.get(m.userId) === 'manager').map((m) => m.teamId));
  const below = await withSubTeams(db, tenantId, [...ledByManagers]);
  return new Map(
    ids.map((id) => {
      const own = memberships.filter((m) => m.userId === id);
      const ledTeamIds = own.filter((m) => m.role === 'leader').flatMap((m) => below.get(m.teamId) ?? []);
      return [id, heldScope({ actorId: id, role: roleOf.get(id) ?? 'rep', ledTeamIds, memberTeamIds: own.map((m) => m.teamId) })];
    }),
  );
}

/**
 * Which of the accounts named by `accounts`-scope delegations their delegator still holds at `at`:
 * a delegation passes on only held work, so an account reassigned away from the delegator leaves
 * the delegate's view too. Costs one round of queries, and only when such delegations exist.
 */
async function stillHeld(
  db: Db | Tx,
  tenantId: string,
  delegations: readonly { delegatorId: string; accountIds: readonly string[] }[],
  at: Date,
): Promise<string[]> {
  const named = [...new Set(delegations.flatMap((d) => d.accountIds))];
  if (named.length === 0) return [];
  const [accounts, held] = await Promise.all([
    db.account.findMany({
      where: { tenantId, id: { in: named } },
      select: { id: true, ownerTeamId: true, primaryOwnerId: true, secondaryOwnerId: true },
    }),
    holdingsOf(db, tenantId, delegations.map((d) => d.delegatorId), at),
  ]);
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const heldByItsDelegator = (d: (typeof delegations)[number], id: string) => byId.has(id) && canSee(held.get(d.delegatorId)!, byId.get(id)!);
  return [...new Set(delegations.flatMap((d) => d.accountIds.filter((id) => heldByItsDelegator(d, id))))];
}

/**
 * The actor's visibility scope now: teams they lead (with sub-teams) or belong to, and who has
 * delegated to them. Admins, service users and integrations see the whole tenant. Memberships
 * and delegations count while in force at the clock's now: one that ended (or has not begun)
 * grants nothing, and an ended delegation (`endedAt`) grants nothing either. A delegation never
 * widens the delegate's view beyond what its delegator holds now: an `all`-scope one grants the
 * accounts the delegator owns, an `accounts`-scope one those of its accounts the delegator still
 * holds (narrowed here, so `canSee` and the SQL filter both take the narrowed scope).
 */
export async function visibilityOf(ctx: ServiceContext, db: Db | Tx = ctx.db): Promise<VisibilityScope> {
  const { actor } = ctx;
  if (seesWholeTenant(actor)) return WHOLE_TENANT;
  const at = ctx.clock.now();
  const [memberships, delegations] = await Promise.all([
    db.teamMembership.findMany({ where: { tenantId: actor.tenantId, userId: actor.id, ...inForceWhere(at) }, select: { teamId: true, role: true } }),
    db.delegation.findMany({ where: { tenantId: actor.tenantId, delegateId: actor.id, endedAt: null, validFrom: { lte: at }, validTo: { gt: at } }, select: { delegatorId: true, scope: true, accountIds: true } }),
  ]);
  const byAccount = delegations
    .filter((d) => d.scope === 'accounts')
    .map((d) => ({ delegatorId: d.delegatorId, accountIds: delegatedIds(d.accountIds) }));
  const [ledTeamIds, delegatedAccountIds] = await Promise.all([
    ledTeamsOf(db, actor.tenantId, actor.role, memberships),
    stillHeld(db, actor.tenantId, byAccount, at),
  ]);
  return visibilityScope({
    actorId: actor.id,
    role: actor.role,
    ledTeamIds,
    memberTeamIds: memberships.map((m) => m.teamId),
    delegatorIds: delegations.filter((d) => d.scope === 'all').map((d) => d.delegatorId),
    delegatedAccountIds,
  });
}

/**
 * The teams and users the actor manages now (`managementScope` in core): the whole tenant for
 * admins and the other whole-tenant callers, a manager's led teams with their sub-teams and the
 * people in them, only themselves for a rep. Loads teams only for manager users.
 */
export async function managementOf(ctx: ServiceContext, db: Db | Tx = ctx.db): Promise<ManagementScope> {
  const { actor } = ctx;
  const facts = { type: actor.type, id: actor.id, role: actor.role, ledTeamIds: [] as string[], memberIds: [] as string[] };
  if (managementReach(actor) !== 'led-teams') return managementScope(facts);
  const at = ctx.clock.now();
  const { tenantId } = actor;
  const leading = await db.teamMembership.findMany({
    where: { tenantId, userId: actor.id, role: 'leader', ...inForceWhere(at) },
    select: { teamId: true, role: true },
  });
  const ledTeamIds = await ledTeamsOf(db, tenantId, actor.role, leading);
  if (ledTeamIds.length === 0) return managementScope(facts);
  const members = await db.teamMembership.findMany({ where: { tenantId, teamId: { in: ledTeamIds }, ...inForceWhere(at) }, select: { userId: true } });
  return managementScope({ ...facts, ledTeamIds, memberIds: members.map((m) => m.userId) });
}

/** FORBIDDEN unless the actor manages the team (teams are readable to every role, so naming it tells nothing new). */
export function assertManagesTeam(ctx: ServiceContext, scope: ManagementScope, teamId: string): void {
  if (!managesTeam(scope, teamId)) {
    const message = `team ${teamId} is not one the ${ctx.actor.role} manages: a manager manages the teams they lead and their sub-teams`;
    throw new CrmError('FORBIDDEN', message, { details: { teamId, role: ctx.actor.role } });
  }
}

/** FORBIDDEN unless the actor may act for the user (themselves, or a member of a team they manage). */
export function assertManagesUser(ctx: ServiceContext, scope: ManagementScope, userId: string, field: string): void {
  if (!managesUser(scope, userId)) {
    throw new CrmError('FORBIDDEN', `${field}: ${userId} is not in a team the ${ctx.actor.role} manages`, {
      details: { [field]: userId, role: ctx.actor.role },
    });
  }
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

/**
 * The account a document hangs off (an order's ordering account, an invoice's bill-to, a payment's
 * payer), when the caller may see it; otherwise NOT_FOUND naming the document (`entity` `id`), the
 * same answer as for an unknown id, so nothing about the account leaks.
 */
export async function loadAccountBehind(db: Db | Tx, ctx: ServiceContext, scope: VisibilityScope, accountId: string, entity: string, id: string): Promise<OwnedAccountRow> {
  const row = await db.account.findFirst({ where: { id: accountId, tenantId: ctx.actor.tenantId }, select: ownedAccountSelect });
  if (!row || !canSee(scope, row)) throw CrmError.notFound(entity, id);
  return row;
}

/** The ids of the accounts the caller may see, for list filters on documents; undefined when they see the whole tenant. */
export async function visibleAccountIds(ctx: ServiceContext, scope: VisibilityScope): Promise<string[] | undefined> {
  if (scope.all) return undefined;
  const rows = await ctx.db.account.findMany({ where: { tenantId: ctx.actor.tenantId, ...visibilityWhere(scope) }, select: { id: true } });
  return rows.map((a) => a.id);
}

/** {@link loadVisibleAccount} in a driver transaction. */
export function loadVisibleAccountOn(w: SqliteWrite, tenantId: string, id: string, scope: VisibilityScope): OwnedAccountRow {
  const row = w.get<SqliteOwnedAccountRow>(ownedAccountByIdSql, id, tenantId);
  if (!row || !canSee(scope, row)) throw CrmError.notFound('account', id);
  return fromSqliteOwned(row);
}

/**
 * NOT_FOUND unless the account exists in the tenant and the actor may see it (the same answer
 * either way). Inside a transaction pass it (`db`); outside one the account is read on the fast
 * read path (`ctx.reads`), beside the caller's scope.
 */
export async function assertCanSeeAccount(ctx: ServiceContext, accountId: string, db?: Db | Tx): Promise<void> {
  if (db) {
    await loadVisibleAccount(db, ctx.actor.tenantId, accountId, await visibilityOf(ctx, db));
    return;
  }
  const [row, scope] = await Promise.all([ctx.reads.accounts.byId(ctx.actor.tenantId, accountId), visibilityOf(ctx)]);
  if (!row || !canSee(scope, row)) throw CrmError.notFound('account', accountId);
}
