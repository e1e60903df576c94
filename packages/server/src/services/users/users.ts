import { decodeCursor, encodeCursor, listUsersInputSchema, upsertUserInputSchema, type Page, type Role, type UpsertUserInput, type User } from '@crmkit/core';
import { z } from 'zod';
import type { User as UserRow } from '../../../generated/sqlite/client.js';
import { authorize, type ServiceContext } from '../../context.js';
import { inTransaction, recordChange } from '../audit/record.js';

function toUser(row: UserRow): User {
  return { id: row.id, displayName: row.displayName, email: row.email, role: row.role as Role, active: row.active, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

/** Creates or updates one of the host's users by the host's id. Unchanged users are not rewritten. */
export async function upsertUser(ctx: ServiceContext, input: UpsertUserInput): Promise<User> {
  authorize(ctx.actor, 'users:write');
  const data = upsertUserInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  return inTransaction(ctx, async (tx) => {
    const current = await tx.user.findUnique({ where: { tenantId_id: { tenantId, id: data.id } } });
    const now = ctx.clock.now();
    if (!current) {
      const row = await tx.user.create({ data: { tenantId, id: data.id, displayName: data.displayName, email: data.email ?? null, role: data.role, active: data.active ?? true, createdAt: now, updatedAt: now } });
      await recordChange(tx, ctx, { action: 'user.created', entityType: 'user', entityId: row.id, before: null, after: toUser(row) });
      return toUser(row);
    }
    const next = { displayName: data.displayName, email: data.email === undefined ? current.email : data.email, role: data.role, active: data.active ?? current.active };
    if (next.displayName === current.displayName && next.email === current.email && next.role === current.role && next.active === current.active) return toUser(current);
    const row = await tx.user.update({ where: { tenantId_id: { tenantId, id: data.id } }, data: { ...next, updatedAt: now } });
    await recordChange(tx, ctx, { action: 'user.updated', entityType: 'user', entityId: row.id, before: toUser(current), after: toUser(row) });
    return toUser(row);
  });
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
