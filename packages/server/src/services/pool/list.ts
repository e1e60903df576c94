import { decodeCursor, encodeCursor, listPoolInputSchema, type Account, type Page } from '@crmkit/core';
import { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { nameSearchWhere } from '../../db/name-search.js';
import { accountSelect, toAccount } from '../accounts/account-rows.js';

const cursorShape = z.object({ id: z.string() });

/** The pool: active accounts with no owning team and no primary owner, newest first, by grade and name. */
export async function listPool(ctx: ServiceContext, input: z.input<typeof listPoolInputSchema>): Promise<Page<Account>> {
  authorize(ctx.actor, 'pool:claim');
  const { limit, cursor, grade, search } = listPoolInputSchema.parse(input);
  const before = cursor ? decodeCursor(cursor, cursorShape).id : undefined;
  const { tenantId } = ctx.actor;
  const rows = await ctx.db.account.findMany({
    where: {
      tenantId,
      ownerTeamId: null,
      primaryOwnerId: null,
      archivedAt: null,
      ...(before ? { id: { lt: before } } : {}),
      ...(grade ? { grade } : {}),
      ...(search ? await nameSearchWhere(ctx.db, ctx.provider, 'Account', tenantId, search) : {}),
    },
    orderBy: { id: 'desc' },
    take: limit + 1,
    select: accountSelect,
  });
  const page = rows.slice(0, limit).map(toAccount);
  return { items: page, nextCursor: rows.length > limit ? encodeCursor({ id: page[page.length - 1]!.id }) : null };
}
