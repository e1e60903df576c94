import { assertValidParentChange, createAccountInputSchema, newId, searchKey, type Account, type CreateAccountInput } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { changeOwnership } from '../ownership/change-ownership.js';
import { assertCallerActive } from '../users/standing.js';
import { loadVisibleAccount, visibilityOf } from '../visibility.js';
import { accountSelect, ancestorChain, assertActive, lockHierarchy, toAccount } from './account-rows.js';

/**
 * Creates an account, optionally as a branch of `parentId` (which must be visible to the caller,
 * active, and leave the tree within its depth limit). A rep or manager who creates an account
 * becomes its primary owner (so they can see what they created); one created by an admin or an
 * integration has no owner and starts in the pool until ownership is assigned or claimed.
 */
export async function createAccount(ctx: ServiceContext, input: CreateAccountInput): Promise<Account> {
  authorize(ctx.actor, 'accounts:write');
  const data = createAccountInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const id = newId('acc', ctx.clock);
  const scope = data.parentId ? await visibilityOf(ctx) : null;
  // A rep or manager who creates an account owns it: they must not be deactivated meanwhile.
  const becomesOwner = ctx.actor.type === 'user' && (ctx.actor.role === 'rep' || ctx.actor.role === 'manager');
  return inTransaction(ctx, async (tx) => {
    if (data.parentId) await lockHierarchy(tx, ctx);
    if (becomesOwner) await assertCallerActive(tx, ctx);
    if (data.parentId) {
      const parent = await loadVisibleAccount(tx, tenantId, data.parentId, scope!);
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
    if (becomesOwner) {
      await changeOwnership(tx, ctx, id, { teamId: null, primaryOwnerId: ctx.actor.id, secondaryOwnerId: null }, { cause: 'create' });
    }
    return account;
  });
}
