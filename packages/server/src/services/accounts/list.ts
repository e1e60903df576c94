import {
  countAccountsInputSchema, decodeCursor, encodeCursor, listAccountsInputSchema, searchKey,
  type Account, type AccountCount, type CountAccountsInput, type ListAccountsInput, type Page,
} from '@crmkit/core';
import { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { accountVisibilityOf } from '../visibility.js';
import { toAccount } from './account-rows.js';

const cursorShape = z.object({ id: z.string() });

/**
 * Accounts of the caller's tenant that the caller may see, newest first, filtered by name,
 * parent, grade and archive state. The visibility filter is part of the query, so pages are full
 * and cursors never step over hidden rows.
 */
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
    visibility: await accountVisibilityOf(ctx),
    take: limit + 1,
  });
  const page = rows.slice(0, limit).map(toAccount);
  return { items: page, nextCursor: rows.length > limit ? encodeCursor({ id: page[page.length - 1]!.id }) : null };
}

/** How many accounts `listAccounts` would page through with the same filters. */
export async function countAccounts(ctx: ServiceContext, input: CountAccountsInput): Promise<AccountCount> {
  authorize(ctx.actor, 'accounts:read');
  const { search, parentId, grade, archived } = countAccountsInputSchema.parse(input);
  const count = await ctx.reads.accounts.count({
    tenantId: ctx.actor.tenantId,
    nameContains: search ? searchKey(search) : undefined,
    parentId,
    grade,
    archived,
    visibility: await accountVisibilityOf(ctx),
  });
  return { count };
}
