import { assertValidParentChange, type Account } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { loadVisibleAccount, visibilityOf } from '../visibility.js';
import { accountSelect, ancestorChain, assertActive, assertVersion, lockHierarchy, subtreeIds, toAccount } from './account-rows.js';

/**
 * Moves an account (with its branches) under a new parent, or to the top level with `null`.
 * Refused with CYCLE when the new parent is the account or one of its branches, and with
 * VALIDATION when the moved subtree would end up too deep. Both the account and the new parent
 * must be visible to the caller (else NOT_FOUND).
 */
export async function setAccountParent(ctx: ServiceContext, input: { id: string; parentId: string | null; expectedVersion?: number | undefined }): Promise<Account> {
  authorize(ctx.actor, 'accounts:write');
  const { tenantId } = ctx.actor;
  const scope = await visibilityOf(ctx);
  return inTransaction(ctx, async (tx) => {
    await lockHierarchy(tx, ctx);
    const current = await loadVisibleAccount(tx, tenantId, input.id, scope);
    assertActive(current);
    assertVersion(current, input.expectedVersion);
    if (current.parentId === input.parentId) return toAccount(current);
    let newParent = null;
    if (input.parentId !== null) {
      const parent = await loadVisibleAccount(tx, tenantId, input.parentId, scope);
      assertActive(parent, 'parent account');
      const chain = await ancestorChain(tx, tenantId, parent.id);
      newParent = { id: parent.id, ancestorIds: chain.slice(1).map((c) => c.id) };
    }
    const subtree = await subtreeIds(tx, tenantId, current.id);
    assertValidParentChange({ accountId: current.id, newParent, subtreeHeight: Math.max(...subtree.map((s) => s.lvl)) });
    const row = await tx.account.update({
      where: { id: current.id },
      data: { parentId: input.parentId, version: current.version + 1, updatedAt: ctx.clock.now() },
      select: accountSelect,
    });
    const after = toAccount(row);
    await recordChange(tx, ctx, { action: 'account.parent_changed', entityType: 'account', entityId: current.id, before: toAccount(current), after });
    return after;
  });
}
