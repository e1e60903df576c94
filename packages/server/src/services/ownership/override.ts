import { can, clearOverrideInputSchema, newId, overrideInputSchema, type RoutingOverride } from '@crmkit/core';
import { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { loadProductLine } from '../product-lines/product-lines.js';
import { actorIdOf, assertActiveUsers, leaderAt, lockSubject } from '../teams/team-rows.js';
import { assertCanSeeAccount } from '../visibility.js';

interface OverrideRow {
  id: string;
  accountId: string;
  productLineId: string | null;
  purpose: string | null;
  userId: string;
  validFrom: Date;
  validTo: Date | null;
  reason: string;
  actorId: string;
}

function toOverride(row: OverrideRow): RoutingOverride {
  return {
    id: row.id, accountId: row.accountId, productLineId: row.productLineId, purpose: row.purpose as RoutingOverride['purpose'], userId: row.userId,
    validFrom: row.validFrom.toISOString(), validTo: row.validTo?.toISOString() ?? null, reason: row.reason, actorId: row.actorId,
  };
}

/** Managers and admins may override routing; so may the leader of the account's owning team. FORBIDDEN otherwise. */
async function assertMayOverride(tx: Tx, ctx: ServiceContext, accountId: string, at: Date): Promise<void> {
  if (can(ctx.actor.role, 'ownership:override', ctx.actor.scopes)) return;
  if (ctx.actor.type === 'user') {
    const account = await tx.account.findFirst({ where: { id: accountId, tenantId: ctx.actor.tenantId }, select: { ownerTeamId: true } });
    if (account?.ownerTeamId && (await leaderAt(tx, ctx.actor.tenantId, account.ownerTeamId, at)) === ctx.actor.id) return;
  }
  authorize(ctx.actor, 'ownership:override');
}

/** Prepares an override change: permission, visibility, the product line; answers the open override for the same key. */
async function openOverride(tx: Tx, ctx: ServiceContext, key: { accountId: string; productLineId?: string | undefined; purpose?: string | undefined }, now: Date) {
  const { tenantId } = ctx.actor;
  await lockSubject(tx, ctx, `routing:${key.accountId}`);
  await assertCanSeeAccount(ctx, key.accountId, tx);
  await assertMayOverride(tx, ctx, key.accountId, now);
  if (key.productLineId) await loadProductLine(tx, tenantId, key.productLineId);
  return tx.routingOverride.findFirst({
    where: { tenantId, accountId: key.accountId, productLineId: key.productLineId ?? null, purpose: key.purpose ?? null, validTo: null },
    orderBy: { validFrom: 'desc' },
  });
}

/**
 * Routes the account's work (optionally one product line's, or one purpose's) to `userId` from
 * now on, ahead of every other rule, recording who decided it and why. Replaces the override in
 * force for the same account / product line / purpose.
 */
export async function overrideRouting(ctx: ServiceContext, input: z.input<typeof overrideInputSchema>): Promise<RoutingOverride> {
  authorize(ctx.actor, 'ownership:read');
  const data = overrideInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  return inTransaction(ctx, async (tx) => {
    const now = ctx.clock.now();
    const current = await openOverride(tx, ctx, data, now);
    await assertActiveUsers(tx, ctx, [['userId', data.userId]]);
    if (current && current.userId === data.userId && current.reason === data.reason) return toOverride(current);
    if (current) await tx.routingOverride.update({ where: { id: current.id }, data: { validTo: now } });
    const row = await tx.routingOverride.create({
      data: {
        id: newId('ovr', ctx.clock), tenantId, accountId: data.accountId, productLineId: data.productLineId ?? null, purpose: data.purpose ?? null,
        userId: data.userId, validFrom: now, validTo: null, reason: data.reason, actorId: actorIdOf(ctx),
      },
    });
    const override = toOverride(row);
    await recordChange(tx, ctx, { action: 'account.routing_overridden', entityType: 'account', entityId: data.accountId, before: current ? toOverride(current) : null, after: override });
    return override;
  });
}

/** Ends the override in force for the account / product line / purpose now; answers it closed, or null when there was none. */
export async function clearOverride(ctx: ServiceContext, input: z.input<typeof clearOverrideInputSchema>): Promise<RoutingOverride | null> {
  authorize(ctx.actor, 'ownership:read');
  const data = clearOverrideInputSchema.parse(input);
  return inTransaction(ctx, async (tx) => {
    const now = ctx.clock.now();
    const current = await openOverride(tx, ctx, data, now);
    if (!current) return null;
    const row = await tx.routingOverride.update({ where: { id: current.id }, data: { validTo: now } });
    const closed = toOverride(row);
    await recordChange(tx, ctx, { action: 'account.routing_override_cleared', entityType: 'account', entityId: data.accountId, before: toOverride(current), after: { ...closed, clearedReason: data.reason } });
    return closed;
  });
}
