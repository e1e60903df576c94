import { decodeCursor, encodeCursor, listUsersInputSchema, upsertUserInputSchema, type Page, type Role, type UpsertUserInput, type User } from '@crmkit/core';
import { z } from 'zod';
import type { User as UserRow } from '../../../generated/sqlite/client.js';
import { authorize, type ServiceContext } from '../../context.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { closeInactivity, forgetStanding, lockUsers, nextRevocation, openInactivity } from './standing.js';

function toUser(row: UserRow): User {
  return { id: row.id, displayName: row.displayName, email: row.email, role: row.role as Role, active: row.active, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

const UPSERT_INACTIVE_REASON = 'users.upsert with active: false';

/**
 * Creates or updates one of the host's users by the host's id. Unchanged users are not rewritten.
 * `active: false` deactivates (opens an inactivity window, refuses their tokens issued so far) without
 * moving their work as `users.deactivate` does; `active: true` on an inactive user reactivates them
 * (closes the window, and refuses tokens minted while they were inactive). Either forgets the user's
 * cached standing on this instance at once.
 */
export async function upsertUser(ctx: ServiceContext, input: UpsertUserInput): Promise<User> {
  authorize(ctx.actor, 'users:write');
  const data = upsertUserInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  return inTransaction(ctx, async (tx) => {
    // Locked before it is read: a concurrent deactivation or revocation either committed already or waits.
    await lockUsers(tx, ctx, { update: [data.id] });
    const current = await tx.user.findUnique({ where: { tenantId_id: { tenantId, id: data.id } } });
    const now = ctx.clock.now();
    if (!current) {
      const active = data.active ?? true;
      if (!active) await openInactivity(tx, ctx, { userId: data.id, at: now, reason: UPSERT_INACTIVE_REASON });
      const row = await tx.user.create({
        data: { tenantId, id: data.id, displayName: data.displayName, email: data.email ?? null, role: data.role, active, createdAt: now, updatedAt: now, tokensRevokedBefore: active ? null : now },
      });
      await recordChange(tx, ctx, { action: 'user.created', entityType: 'user', entityId: row.id, before: null, after: toUser(row) });
      return toUser(row);
    }
    const next = { displayName: data.displayName, email: data.email === undefined ? current.email : data.email, role: data.role, active: data.active ?? current.active };
    if (next.displayName === current.displayName && next.email === current.email && next.role === current.role && next.active === current.active) return toUser(current);
    if (current.active && !next.active) await openInactivity(tx, ctx, { userId: data.id, at: now, reason: UPSERT_INACTIVE_REASON });
    if (!current.active && next.active) await closeInactivity(tx, ctx, { userId: data.id, at: now });
    // Deactivation refuses the tokens issued so far; reactivation those minted while inactive.
    const revoked = current.active !== next.active ? { tokensRevokedBefore: nextRevocation(current.tokensRevokedBefore, now) } : {};
    const row = await tx.user.update({ where: { tenantId_id: { tenantId, id: data.id } }, data: { ...next, ...revoked, updatedAt: now } });
    await recordChange(tx, ctx, { action: 'user.updated', entityType: 'user', entityId: row.id, before: toUser(current), after: toUser(row) });
    return toUser(row);
  }).then(forgetStanding(ctx, data.id));
}

export async function listUsers(ctx: ServiceContext, input: z.input<typeof listUsersInputSchema>): Promise<Page<User>> {
  authorize(ctx.actor, 'users:read');
  const { limit, cursor, role, active } = listUsersInputSchema.parse(input);
  const after = cursor ? decodeCursor(cursor, z.object({ id: z.string() })).id : undefined;
  const rows = await ctx.db.user.findMany({
    where: { tenantId: ctx.actor.tenantId, ...(after ? { id: { gt: after } } : {}), ...(role ? { role } : {}), ...(active !== undefined ? { active } : {}) },
    orderBy: { id: 'asc' },
    take: limit + 1,
  });
  const page = rows.slice(0, limit).map(toUser);
  return { items: page, nextCursor: rows.length > limit ? encodeCursor({ id: page[page.length - 1]!.id }) : null };
}
