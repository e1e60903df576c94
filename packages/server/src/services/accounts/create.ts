import { assertValidParentChange, createAccountInputSchema, newId, searchKey, type Account, type CreateAccountInput } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { accountSelect, ancestorChain, assertActive, loadAccount, lockHierarchy, toAccount } from './account-rows.js';

/** Creates an account, optionally as a branch of `parentId` (which must be active and leave the tree within its depth limit). */
export async function createAccount(ctx: ServiceContext, input: CreateAccountInput): Promise<Account> {
  authorize(ctx.actor, 'accounts:write');
  const data = createAccountInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const id = newId('acc', ctx.clock);
  return inTransaction(ctx, async (tx) => {
    if (data.parentId) {
      await lockHierarchy(tx, ctx);
      const parent = await loadAccount(tx, tenantId, data.parentId);
      assertActive(parent, 'parent account');
      const chain = await ancestorChain(tx, tenantId, parent.id);
      assertValidParentChange({ accountId: id, newParent: { id: parent.id, ancestorIds: chain.slice(1).map((c) => c.id) }, subtreeHeight: 1 });
    }
    const now = ctx.clock.now();
    const row = await tx.account.create({
      data: { ...data, id, tenantId, nameSearch: searchKey(data.name), version: 1, createdAt: now, updatedAt: now },
      select: accountSelect,
    });
    const account = toAccount(row);
    await recordChange(tx, ctx, { action: 'account.created', entityType: 'account', entityId: id, before: null, after: account });
    return account;
  });
}
