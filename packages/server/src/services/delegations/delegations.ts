import {
  assertValidDelegation, createDelegationInputSchema, CrmError, decodeCursor, encodeCursor, endDelegationInputSchema, listDelegationsInputSchema, newId,
  type Delegation, type DelegationFact, type DelegationScope, type Page,
} from '@crmkit/core';
import { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { actorIdOf, assertActiveUsers, lockSubject } from '../teams/team-rows.js';

interface DelegationRow {
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

/** Whether the actor may act for users other than themselves (delegations, away windows). */
export function actsForOthers(ctx: ServiceContext): boolean {
  return ctx.actor.role === 'admin' || ctx.actor.role === 'manager';
}

/**
 * The user a self-service write is about: the given one, or the calling user. Acting for someone
 * else takes a manager or an admin (FORBIDDEN otherwise); an API key must name the user.
 */
export function subjectUser(ctx: ServiceContext, given: string | undefined, field: string): string {
  const self = ctx.actor.type === 'user' ? ctx.actor.id : undefined;
  const userId = given ?? self;
  if (!userId) throw CrmError.validation(field, `name the user: an API key has no user of its own`);
  if (userId !== self && !actsForOthers(ctx)) {
    throw new CrmError('FORBIDDEN', `the ${ctx.actor.role} role may act only for themselves`, { details: { [field]: userId, role: ctx.actor.role } });
  }
  return userId;
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
  const delegatorId = subjectUser(ctx, data.delegatorId, 'delegatorId');
  if (data.scope !== 'accounts' && data.accountIds.length > 0) throw CrmError.validation('accountIds', 'accounts are named only by a delegation scoped to accounts');
  const now = ctx.clock.now();
  const requestedFrom = new Date(data.validFrom);
  const validFrom = requestedFrom < now ? now : requestedFrom;
  const validTo = new Date(data.validTo);
  if (validTo <= now) throw CrmError.validation('validTo', 'the window has already ended');
  return inTransaction(ctx, async (tx) => {
    await lockSubject(tx, ctx, 'delegations');
    await assertActiveUsers(tx, tenantId, [['delegatorId', delegatorId], ['delegateId', data.delegateId]]);
    const accountIds = [...new Set(data.accountIds)];
    if (accountIds.length > 0) {
      const found = await tx.account.findMany({ where: { tenantId, id: { in: accountIds } }, select: { id: true } });
      const missing = accountIds.find((id) => !found.some((a) => a.id === id));
      if (missing) throw CrmError.notFound('account', missing);
    }
    const existing = await tx.delegation.findMany({ where: { tenantId, endedAt: null, validTo: { gt: validFrom } } });
    const next = { delegatorId, delegateId: data.delegateId, scope: data.scope, accountIds, validFrom, validTo };
    assertValidDelegation(next, existing.map(toFact));
    const row = await tx.delegation.create({
      data: { id: newId('dlg', ctx.clock), tenantId, ...next, accountIds: JSON.stringify(accountIds), reason: data.reason, createdBy: actorIdOf(ctx), createdAt: now, endedAt: null },
    });
    const delegation = toDelegation(row);
    await recordChange(tx, ctx, { action: 'delegation.created', entityType: 'delegation', entityId: row.id, before: null, after: delegation });
    return delegation;
  });
}

/**
 * Ends a delegation now: a running one stops now (its window is shortened to end now), a future
 * one never starts. The delegator, the delegate, managers and admins may end it. Ending an ended
 * delegation changes nothing.
 */
export async function endDelegation(ctx: ServiceContext, input: z.input<typeof endDelegationInputSchema>): Promise<Delegation> {
  authorize(ctx.actor, 'delegations:manage');
  const { id, reason } = endDelegationInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  return inTransaction(ctx, async (tx) => {
    await lockSubject(tx, ctx, 'delegations');
    const current = await tx.delegation.findFirst({ where: { id, tenantId } });
    if (!current) throw CrmError.notFound('delegation', id);
    const involved = ctx.actor.type === 'user' && (ctx.actor.id === current.delegatorId || ctx.actor.id === current.delegateId);
    if (!involved && !actsForOthers(ctx)) {
      throw new CrmError('FORBIDDEN', `only the people involved, managers and admins may end delegation ${id}`, { details: { id, role: ctx.actor.role } });
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
 * delegate; with `activeAt`, those in force then. Reps see only delegations they take part in.
 */
export async function listDelegations(ctx: ServiceContext, input: z.input<typeof listDelegationsInputSchema>): Promise<Page<Delegation>> {
  authorize(ctx.actor, 'ownership:read');
  const { limit, cursor, userId, activeAt } = listDelegationsInputSchema.parse(input);
  const before = cursor ? decodeCursor(cursor, cursorShape).id : undefined;
  const involving = (id: string) => ({ OR: [{ delegatorId: id }, { delegateId: id }] });
  const and: object[] = [];
  if (userId !== undefined) and.push(involving(userId));
  if (ctx.actor.type === 'user' && ctx.actor.role === 'rep') and.push(involving(ctx.actor.id));
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
