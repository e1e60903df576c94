import { CrmError, type Account } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { toAccount } from './account-rows.js';

/** One account of the caller's tenant; NOT_FOUND otherwise. */
export async function getAccount(ctx: ServiceContext, input: { id: string }): Promise<Account> {
  authorize(ctx.actor, 'accounts:read');
  const row = await ctx.reads.accounts.byId(ctx.actor.tenantId, input.id);
  if (!row) throw CrmError.notFound('account', input.id);
  return toAccount(row);
}
