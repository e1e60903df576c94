import { newId } from '@crmkit/core';
import type { ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';

// A user's standing over time: `UserInactivity` holds the windows in which they were not active
// (so routing "as of" a past instant judges who was active then), `User.active` mirrors the
// present, and `User.tokensRevokedBefore` refuses tokens issued up to that instant.

/** The later of a stored revocation instant and a new one: revocations never move back. */
export function laterRevocation(current: Date | null, at: Date): Date {
  return current && current > at ? current : at;
}

/** Opens the window in which the user is not active, from `at` until a reactivation closes it. */
export async function openInactivity(tx: Tx, ctx: ServiceContext, q: { userId: string; at: Date; reason: string }): Promise<void> {
  await tx.userInactivity.create({
    data: { id: newId('uin', ctx.clock), tenantId: ctx.actor.tenantId, userId: q.userId, validFrom: q.at, validTo: null, reason: q.reason, actorId: `${ctx.actor.type}:${ctx.actor.id}` },
  });
}

/** Closes the user's open inactivity window at `at` (reactivation). */
export async function closeInactivity(tx: Tx, ctx: ServiceContext, q: { userId: string; at: Date }): Promise<void> {
  await tx.userInactivity.updateMany({ where: { tenantId: ctx.actor.tenantId, userId: q.userId, validTo: null }, data: { validTo: q.at } });
}

/** After a change to a user's standing has committed: this instance forgets what it cached about them at once. */
export function forgetStanding<T>(ctx: ServiceContext, userId: string): (result: T) => T {
  return (result) => {
    ctx.hooks?.userAccessChanged?.(ctx.actor.tenantId, userId);
    return result;
  };
}
