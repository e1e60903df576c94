import { newId, type OwnershipPeriod } from '@crmkit/core';
import type { ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { recordChange } from '../audit/record.js';

export interface OwnershipState {
  teamId: string | null;
  primaryOwnerId: string | null;
  secondaryOwnerId: string | null;
}

/** Why an ownership period began: assignment, pool claim/release/return, departure… */
export type OwnershipReason = 'assign' | 'claim' | 'release' | 'pool-assign' | 'pool-return' | 'departure' | (string & {});

export function toPeriod(row: { accountId: string; teamId: string | null; primaryOwnerId: string | null; secondaryOwnerId: string | null; validFrom: Date; validTo: Date | null; reason: string; actorId: string }): OwnershipPeriod {
  return { ...row, validFrom: row.validFrom.toISOString(), validTo: row.validTo?.toISOString() ?? null };
}

/**
 * Changes who owns an account from now on, in the caller's transaction: closes the period in
 * force, opens the next (nothing is overwritten), keeps the account's current-owner columns
 * equal to it, and records one audit and outbox event (`account.ownership_changed`, with
 * `reason`). A change to the same state is a no-op and returns null.
 */
export async function changeOwnership(
  tx: Tx,
  ctx: ServiceContext,
  accountId: string,
  next: OwnershipState,
  change: { reason: OwnershipReason; note?: string | undefined; at?: Date },
): Promise<OwnershipPeriod | null> {
  const { tenantId } = ctx.actor;
  const at = change.at ?? ctx.clock.now();
  const account = await tx.account.findFirstOrThrow({ where: { id: accountId, tenantId }, select: { ownerTeamId: true, primaryOwnerId: true, secondaryOwnerId: true, ownedSince: true } });
  const before: OwnershipState = { teamId: account.ownerTeamId, primaryOwnerId: account.primaryOwnerId, secondaryOwnerId: account.secondaryOwnerId };
  if (before.teamId === next.teamId && before.primaryOwnerId === next.primaryOwnerId && before.secondaryOwnerId === next.secondaryOwnerId) return null;
  await tx.accountOwnership.updateMany({ where: { tenantId, accountId, validTo: null }, data: { validTo: at } });
  const reason = change.note ? `${change.reason}: ${change.note}` : change.reason;
  const row = await tx.accountOwnership.create({
    data: { id: newId('own', ctx.clock), tenantId, accountId, ...next, validFrom: at, validTo: null, reason, actorId: `${ctx.actor.type}:${ctx.actor.id}` },
  });
  const owned = next.teamId !== null || next.primaryOwnerId !== null;
  // The pool clock restarts when the primary owner changes (a claim or a handover), not on a secondary change.
  const tenureStarts = owned && (next.primaryOwnerId !== before.primaryOwnerId || (before.teamId === null && before.primaryOwnerId === null));
  await tx.account.update({
    where: { id: accountId },
    data: {
      ownerTeamId: next.teamId,
      primaryOwnerId: next.primaryOwnerId,
      secondaryOwnerId: next.secondaryOwnerId,
      ownedSince: owned ? (tenureStarts ? at : account.ownedSince) : null,
      updatedAt: at,
    },
  });
  const period = toPeriod(row);
  await recordChange(tx, ctx, { action: 'account.ownership_changed', entityType: 'account', entityId: accountId, before: { ...before, reason: change.reason }, after: { ...next, reason: change.reason, period } });
  return period;
}
