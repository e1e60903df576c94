import { decodeCursor, encodeCursor, listAccountsInputSchema, searchKey, type Account, type ListAccountsInput, type Page } from '@crmkit/core';
import { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { toAccount } from './account-rows.js';

const cursorShape = z.object({ id: z.string() });

/** Accounts of the caller's tenant, newest first, filtered by name, parent, grade and archive state. */
export async function listAccounts(ctx: ServiceContext, input: ListAccountsInput): Promise<Page<Account>> {
  authorize(ctx.actor, 'accounts:read');
  const { limit, cursor, search, parentId, grade, archived } = listAccountsInputSchema.parse(input);
  const before = cursor ? decodeCursor(cursor, cursorShape).id : undefined;
  const rows = await ctx.reads.accounts.list({
    tenantId: ctx.actor.tenantId,
    beforeId: before,
    nameContains: search ? searchKey(search) : undefined,
    parentId,
    grade,
    archived,
    take: limit + 1,
  });
  const page = rows.slice(0, limit).map(toAccount);
  return { items: page, nextCursor: rows.length > limit ? encodeCursor({ id: page[page.length - 1]!.id }) : null };
}
