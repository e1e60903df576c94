import {
  assertValidDelegation, canSee, createDelegationInputSchema, CrmError, decodeCursor, encodeCursor, endDelegationInputSchema, isCrmError,
  listDelegationsInputSchema, newId, seesDelegation,
  type Delegation, type DelegationFact, type DelegationScope, type FieldErrors, type ManagementScope, type Page,
} from '@crmkit/core';
import { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import type { Db, Tx } from '../../db/client.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { actorIdOf, assertActiveUsers, lockSubject } from '../teams/team-rows.js';
import { assertManagesUser, holdingsOf, managementOf, seesWholeTenant, visibilityOf, visibleAccountsWhere } from '../visibility.js';

/** A stored delegation (its account ids as a JSON array). */
export interface DelegationRow {
  id: string;
  delegatorId: string;
  delegateId: string;
  scope: string;
  accountIds: string;
  validFrom: Date;
  validTo: Date;
  reason: string;
  endedAt: Date | null;
}

export function toDelegation(row: DelegationRow): Delegation {
  return {
    id: row.id, delegatorId: row.delegatorId, delegateId: row.delegateId, scope: row.scope as DelegationScope, accountIds: JSON.parse(row.accountIds) as string[],
    validFrom: row.validFrom.toISOString(), validTo: row.validTo.toISOString(), reason: row.reason, endedAt: row.endedAt?.toISOString() ?? null,
  };
}

function toFact(row: DelegationRow): DelegationFact {
  return { id: row.id, delegatorId: row.delegatorId, delegateId: row.delegateId, scope: row.scope as DelegationScope, accountIds: JSON.parse(row.accountIds) as string[], validFrom: row.validFrom, validTo: row.validTo };
}

/** Whether the actor may act for users other than themselves at all (delegations, away windows). */
export function actsForOthers(ctx: ServiceContext): boolean {
  return ctx.actor.role === 'admin' || ctx.actor.role === 'manager';
}

/**
 * The user a self-service write is about: the given one, or the calling user. Acting for someone
 * else takes an admin, or a manager for a member of a team they manage (FORBIDDEN otherwise); an
 * API key must name the user.
 */
export async function subjectUser(ctx: ServiceContext, db: Db | Tx, given: string | undefined, field: string): Promise<string> {
  const self = ctx.actor.type === 'user' ? ctx.actor.id : undefined;
  const userId = given ?? self;
  if (!userId) throw CrmError.validation(field, `name the user: an API key has no user of its own`);
  if (userId === self) return userId;
  if (!actsForOthers(ctx)) {
    throw new CrmError('FORBIDDEN', `the ${ctx.actor.role} role may act only for themselves`, { details: { [field]: userId, role: ctx.actor.role } });
  }
  assertManagesUser(ctx, await managementOf(ctx, db), userId, field);
  return userId;
}

/**
 * A delegation passes on only work its delegator holds, and only work the caller may see: each
 * named account must be visible to the caller (NOT_FOUND otherwise, as for an unknown id) and held
 * by the delegator (VALIDATION on `accountIds.<i>` otherwise). A manager passing on all of someone
 * else's work may do so only while everything that person owns is in the manager's own view, so
 * no delegation the manager writes widens anyone's access beyond the manager's.
 */
async function assertPassesOnlyHeldWork(
  tx: Tx,
  ctx: ServiceContext,
  delegation: { delegatorId: string; scope: DelegationScope; accountIds: readonly string[] },
  at: Date,
): Promise<void> {
  const { delegatorId, scope, accountIds } = delegation;
  const { tenantId } = ctx.actor;
  const self = ctx.actor.type === 'user' && ctx.actor.id === delegatorId;
  const passesAllOfSomeoneElse = scope === 'all' && !self && !seesWholeTenant(ctx.actor);
  if (accountIds.length === 0 && !passesAllOfSomeoneElse) return;
  const callerScope = await visibilityOf(ctx, tx);
  if (accountIds.length > 0) {
    const rows = await tx.account.findMany({
      where: { tenantId, id: { in: [...new Set(accountIds)] } },
      select: { id: true, ownerTeamId: true, primaryOwnerId: true, secondaryOwnerId: true },
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const hidden = accountIds.find((id) => !byId.has(id) || !canSee(callerScope, byId.get(id)!));
    if (hidden) throw CrmError.notFound('account', hidden);
    const held = (await holdingsOf(tx, tenantId, [delegatorId], at)).get(delegatorId)!;
    const fieldErrors: FieldErrors = {};
    accountIds.forEach((id, i) => {
      if (canSee(held, byId.get(id)!)) return;
      fieldErrors[`accountIds.${i}`] = [`${delegatorId} does not hold account ${id}: a delegation passes on only the delegator's own work`];
    });
    const first = Object.entries(fieldErrors)[0];
    if (first) throw new CrmError('VALIDATION', `${first[0]}: ${first[1][0]}`, { fieldErrors });
  }
  if (passesAllOfSomeoneElse) {
    // Two positive counts rather than NOT(visible): SQL's NOT over nullable owner columns drops rows.
    const owned = { tenantId, OR: [{ primaryOwnerId: delegatorId }, { secondaryOwnerId: delegatorId }] };
    const [all, seen] = await Promise.all([
      tx.account.count({ where: owned }),
      tx.account.count({ where: { ...owned, AND: [visibleAccountsWhere(callerScope)] } }),
    ]);
    if (seen < all) {
      const message = `${delegatorId} owns accounts outside your view: name the accounts to pass on (scope accounts), or ask an admin`;
      throw new CrmError('FORBIDDEN', message, { details: { delegatorId } });
    }
  }
}

/**
 * A CYCLE answer shown to the caller: the whole loop when the caller may see every delegation on
 * it (by the rule of `delegations.list`), otherwise only that there is one, naming the delegations
 * on it the caller may see.
 */
function redactCycle(error: CrmError, scope: ManagementScope, existing: readonly DelegationFact[]): CrmError {
  const ids = (error.details?.delegationIds ?? []) as string[];
  const visible = ids.filter((id) => {
    const d = existing.find((e) => e.id === id);
    return d !== undefined && seesDelegation(scope, d);
  });
  if (visible.length === ids.length) return error;
  return new CrmError('CYCLE', 'the delegation would close a loop through delegations you cannot see', {
    fieldErrors: { delegateId: ['this delegation would close a loop'] },
    details: { delegationIds: visible },
  });
}

/**
 * Delegates the delegator's work (all of it, complaints, approvals or given accounts) to another
 * user for a window. A window starting in the past starts now: delegations never change who was
 * responsible before they were recorded. Overlapping delegations of the same work are refused
 * (CONFLICT), and so are loops among delegations in force together (CYCLE).
 */
export async function createDelegation(ctx: ServiceContext, input: z.input<typeof createDelegationInputSchema>): Promise<Delegation> {
  authorize(ctx.actor, 'delegations:manage');
  const data = createDelegationInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  if (data.scope !== 'accounts' && data.accountIds.length > 0) throw CrmError.validation('accountIds', 'accounts are named only by a delegation scoped to accounts');
  const now = ctx.clock.now();
  const requestedFrom = new Date(data.validFrom);
  const validFrom = requestedFrom < now ? now : requestedFrom;
  const validTo = new Date(data.validTo);
  if (validTo <= now) throw CrmError.validation('validTo', 'the window has already ended');
  return inTransaction(ctx, async (tx) => {
    await lockSubject(tx, ctx, 'delegations');
    const delegatorId = await subjectUser(ctx, tx, data.delegatorId, 'delegatorId');
    await assertActiveUsers(tx, ctx, [['delegatorId', delegatorId], ['delegateId', data.delegateId]]);
    await assertPassesOnlyHeldWork(tx, ctx, { delegatorId, scope: data.scope, accountIds: data.accountIds }, now);
    const accountIds = [...new Set(data.accountIds)];
    const existing = (await tx.delegation.findMany({ where: { tenantId, endedAt: null, validTo: { gt: validFrom } } })).map(toFact);
    const next = { delegatorId, delegateId: data.delegateId, scope: data.scope, accountIds, validFrom, validTo };
    try {
      assertValidDelegation(next, existing);
    } catch (error) {
      if (isCrmError(error) && error.code === 'CYCLE') throw redactCycle(error, await managementOf(ctx, tx), existing);
      throw error;
    }
    const row = await tx.delegation.create({
      data: { id: newId('dlg', ctx.clock), tenantId, ...next, accountIds: JSON.stringify(accountIds), reason: data.reason, createdBy: actorIdOf(ctx), createdAt: now, endedAt: null },
    });
    const delegation = toDelegation(row);
    await recordChange(tx, ctx, { action: 'delegation.created', entityType: 'delegation', entityId: row.id, before: null, after: delegation });
    return delegation;
  });
}

/**
 * A delegation of the actor's tenant that the caller may see by the rule of `delegations.list`
 * (`seesDelegation`: one they take part in, or whose delegator or delegate they manage), or
 * NOT_FOUND: the same answer for an unknown id, another tenant's and one out of the caller's sight.
 * Every read or write of one delegation goes through here (`delegations.end`, its audit trail).
 */
export async function loadVisibleDelegation(ctx: ServiceContext, db: Db | Tx, id: string): Promise<DelegationRow> {
  const row = await db.delegation.findFirst({ where: { id, tenantId: ctx.actor.tenantId, ...seenDelegationsWhere(await managementOf(ctx, db)) } });
  if (!row) throw CrmError.notFound('delegation', id);
  return row;
}

/** The Prisma `where` fragment of `seesDelegation`: delegations the scope manages either side of (empty for all). */
function seenDelegationsWhere(scope: ManagementScope) {
  if (scope.all) return {};
  return { OR: [{ delegatorId: { in: [...scope.userIds] } }, { delegateId: { in: [...scope.userIds] } }] };
}

/**
 * Ends a delegation now: a running one stops now (its window is shortened to end now), a future
 * one never starts. The delegator, the delegate, admins and the managers of either may end it;
 * anyone else gets NOT_FOUND, as for an unknown id, since `delegations.list` does not show it to
 * them. Ending an ended delegation changes nothing.
 */
export async function endDelegation(ctx: ServiceContext, input: z.input<typeof endDelegationInputSchema>): Promise<Delegation> {
  authorize(ctx.actor, 'delegations:manage');
  const { id, reason } = endDelegationInputSchema.parse(input);
  return inTransaction(ctx, async (tx) => {
    await lockSubject(tx, ctx, 'delegations');
    const current = await loadVisibleDelegation(ctx, tx, id);
    const involved = ctx.actor.type === 'user' && (ctx.actor.id === current.delegatorId || ctx.actor.id === current.delegateId);
    if (!involved && !actsForOthers(ctx)) {
      const message = `only the people involved, their managers and admins may end delegation ${id}`;
      throw new CrmError('FORBIDDEN', message, { details: { id, role: ctx.actor.role } });
    }
    if (current.endedAt) return toDelegation(current);
    const now = ctx.clock.now();
    const running = current.validFrom <= now && now < current.validTo;
    const row = await tx.delegation.update({ where: { id }, data: { endedAt: now, ...(running ? { validTo: now } : {}) } });
    const delegation = toDelegation(row);
    await recordChange(tx, ctx, { action: 'delegation.ended', entityType: 'delegation', entityId: id, before: toDelegation(current), after: { ...delegation, ...(reason ? { endReason: reason } : {}) } });
    return delegation;
  });
}

const cursorShape = z.object({ id: z.string() });

/**
 * The tenant's delegations, newest first; with `userId`, those where the user delegates or is the
 * delegate; with `activeAt`, those in force then. Reps see only delegations they take part in,
 * managers those of the people in the teams they manage (and their own), admins all (`seesDelegation`).
 */
export async function listDelegations(ctx: ServiceContext, input: z.input<typeof listDelegationsInputSchema>): Promise<Page<Delegation>> {
  authorize(ctx.actor, 'ownership:read');
  const { limit, cursor, userId, activeAt } = listDelegationsInputSchema.parse(input);
  const before = cursor ? decodeCursor(cursor, cursorShape).id : undefined;
  const involving = (id: string) => ({ OR: [{ delegatorId: id }, { delegateId: id }] });
  const and: object[] = [];
  if (userId !== undefined) and.push(involving(userId));
  and.push(seenDelegationsWhere(await managementOf(ctx)));
  if (activeAt !== undefined) {
    const t = new Date(activeAt);
    and.push({ validFrom: { lte: t }, validTo: { gt: t }, OR: [{ endedAt: null }, { endedAt: { gt: t } }] });
  }
  const rows = await ctx.db.delegation.findMany({
    where: { tenantId: ctx.actor.tenantId, ...(before ? { id: { lt: before } } : {}), AND: and },
    orderBy: { id: 'desc' },
    take: limit + 1,
  });
  const page = rows.slice(0, limit).map(toDelegation);
  return { items: page, nextCursor: rows.length > limit ? encodeCursor({ id: page[page.length - 1]!.id }) : null };
}
