import type { Account } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { loadAccount, toAccount } from './account-rows.js';

/** One account of the caller's tenant; NOT_FOUND otherwise. */
export async function getAccount(ctx: ServiceContext, input: { id: string }): Promise<Account> {
  authorize(ctx.actor, 'accounts:read');
  return toAccount(await loadAccount(ctx.db, ctx.actor.tenantId, input.id));
}
