import { CrmError, canSee, type Account } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { seesWholeTenant, visibilityOf } from '../visibility.js';
import { toAccount } from './account-rows.js';

/**
 * One account of the caller's tenant that the caller may see; NOT_FOUND otherwise (the same
 * answer for an unknown id, another tenant's, and an account outside the caller's visibility).
 * Callers who see the whole tenant pay one read; others read their scope beside it.
 */
export async function getAccount(ctx: ServiceContext, input: { id: string }): Promise<Account> {
  authorize(ctx.actor, 'accounts:read');
  if (seesWholeTenant(ctx.actor)) {
    const row = await ctx.reads.accounts.byId(ctx.actor.tenantId, input.id);
    if (!row) throw CrmError.notFound('account', input.id);
    return toAccount(row);
  }
  const [row, scope] = await Promise.all([ctx.reads.accounts.byId(ctx.actor.tenantId, input.id), visibilityOf(ctx)]);
  if (!row || !canSee(scope, row)) throw CrmError.notFound('account', input.id);
  return toAccount(row);
}
