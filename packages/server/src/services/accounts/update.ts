import { CrmError, searchKey, updateAccountInputSchema, type Account, type UpdateAccountInput } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { loadVisibleAccount, visibilityOf } from '../visibility.js';
import { accountSelect, assertActive, assertVersion, toAccount } from './account-rows.js';

/**
 * Changes an account's fields (`null` clears one). A call that changes nothing returns the
 * account as it is, without a new version or an audit event. NOT_FOUND for an account outside the
 * caller's visibility.
 */
export async function updateAccount(ctx: ServiceContext, input: UpdateAccountInput): Promise<Account> {
  authorize(ctx.actor, 'accounts:write');
  const { id, expectedVersion, ...fields } = updateAccountInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const scope = await visibilityOf(ctx);
  return inTransaction(ctx, async (tx) => {
    const current = await loadVisibleAccount(tx, tenantId, id, scope);
    assertActive(current);
    assertVersion(current, expectedVersion);
    const changes = Object.fromEntries(Object.entries(fields).filter(([key, value]) => value !== undefined && current[key as keyof typeof current] !== value));
    if (Object.keys(changes).length === 0) return toAccount(current);
    const updated = await tx.account.updateMany({
      where: { id, tenantId, version: current.version },
      data: { ...changes, ...(typeof changes.name === 'string' ? { nameSearch: searchKey(changes.name) } : {}), version: current.version + 1, updatedAt: ctx.clock.now() },
    });
    if (updated.count !== 1) throw new CrmError('CONFLICT', `account ${id} changed during the update; read it again`, { details: { id } });
    const after = toAccount(await tx.account.findFirstOrThrow({ where: { id, tenantId }, select: accountSelect }));
    await recordChange(tx, ctx, { action: 'account.updated', entityType: 'account', entityId: id, before: toAccount(current), after });
    return after;
  });
}
