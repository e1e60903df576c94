import { CrmError, newId } from '@crmkit/core';
import { Prisma } from '../../../generated/sqlite/client.js';
import type { ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import type { SqliteWrite } from '../../db/sqlite-writer.js';

// A user's standing over time: `UserInactivity` holds the windows in which they were not active
// (so routing "as of" a past instant judges who was active then), `User.active` mirrors the
// present, and `User.tokensRevokedBefore` refuses tokens issued before that instant.

/**
 * The revocation instant a new revocation at `at` stores: `at`, or 1 ms past the stored one when
 * that is not earlier. It moves strictly forward, so a token minted between two revocations in
 * the same instant (whose `rvb` claim names the first) is refused after the second.
 *
 * @example nextRevocation(new Date('2026-03-01T09:00:00.000Z'), new Date('2026-03-01T09:00:00.000Z')) // 09:00:00.001Z
 */
export function nextRevocation(current: Date | null, at: Date): Date {
  return current && current.getTime() >= at.getTime() ? new Date(current.getTime() + 1) : at;
}

/**
 * Locks user rows for the rest of the transaction on PostgreSQL (SQLite runs one write transaction
 * at a time): `update` for a change of the user's standing (deactivation, reactivation, revocation),
 * `share` for a write that gives the user work and must find them still active when it commits.
 * Every writer locks users before accounts and in id order, so lockers cannot deadlock; READ
 * COMMITTED shows a waiter what the holder committed.
 */
export async function lockUsers(tx: Tx, ctx: ServiceContext, locks: { update?: readonly string[]; share?: readonly string[] }): Promise<void> {
  if (ctx.provider !== 'postgresql') return;
  const update = new Set(locks.update ?? []);
  const ids = [...new Set([...update, ...(locks.share ?? [])])].sort();
  for (const id of ids) {
    const mode = update.has(id) ? Prisma.sql`FOR UPDATE` : Prisma.sql`FOR SHARE`;
    await tx.$queryRaw`SELECT "id" FROM "User" WHERE "tenantId" = ${ctx.actor.tenantId} AND "id" = ${id} ${mode}`;
  }
}

/**
 * FORBIDDEN when the calling user is deactivated, read under a share lock: a write that makes the
 * caller an owner (a claim, a new account) then cannot commit alongside their deactivation. A user
 * the host never upserted passes, as their token did.
 */
export async function assertCallerActive(tx: Tx, ctx: ServiceContext): Promise<void> {
  if (ctx.actor.type !== 'user') return;
  const { tenantId, id } = ctx.actor;
  await lockUsers(tx, ctx, { share: [id] });
  const user = await tx.user.findUnique({ where: { tenantId_id: { tenantId, id } }, select: { active: true } });
  if (user && !user.active) throw new CrmError('FORBIDDEN', `user ${id} is deactivated`, { details: { userId: id } });
}

/** {@link assertCallerActive} in a driver transaction (SQLite: the transaction is the lock). */
export function assertCallerActiveOn(w: SqliteWrite, ctx: ServiceContext): void {
  if (ctx.actor.type !== 'user') return;
  const { tenantId, id } = ctx.actor;
  const user = w.get<{ active: number }>('SELECT "active" FROM "User" WHERE "tenantId" = ? AND "id" = ?', tenantId, id);
  if (user && !user.active) throw new CrmError('FORBIDDEN', `user ${id} is deactivated`, { details: { userId: id } });
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
