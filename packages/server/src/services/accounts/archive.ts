import { CrmError, canSee, type Account } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { loadVisibleAccount, visibilityOf } from '../visibility.js';
import { accountSelect, assertActive, assertVersion, lockHierarchy, toAccount } from './account-rows.js';

/**
 * Archives an account. Refused while it has active branches: archive or move those first (the
 * refusal names only the branches the caller may see). NOT_FOUND outside the caller's visibility.
 */
export async function archiveAccount(ctx: ServiceContext, input: { id: string; expectedVersion?: number | undefined }): Promise<Account> {
  authorize(ctx.actor, 'accounts:write');
  const { tenantId } = ctx.actor;
  const scope = await visibilityOf(ctx);
  return inTransaction(ctx, async (tx) => {
    // With creating and moving branches under a parent: the branch check below reads what they committed.
    await lockHierarchy(tx, ctx);
    const current = await loadVisibleAccount(tx, tenantId, input.id, scope);
    assertActive(current);
    assertVersion(current, input.expectedVersion);
    const activeChildren = await tx.account.findMany({ where: { tenantId, parentId: current.id, archivedAt: null }, select: { id: true, ownerTeamId: true, primaryOwnerId: true, secondaryOwnerId: true }, take: 20 });
    if (activeChildren.length > 0) {
      throw new CrmError('PRECONDITION_FAILED', `account ${current.id} has active branches; archive or move them first`, { details: { childIds: activeChildren.filter((c) => canSee(scope, c)).map((c) => c.id) } });
    }
    const now = ctx.clock.now();
    const row = await tx.account.update({ where: { id: current.id }, data: { archivedAt: now, updatedAt: now, version: current.version + 1 }, select: accountSelect });
    const after = toAccount(row);
    await recordChange(tx, ctx, { action: 'account.archived', entityType: 'account', entityId: current.id, before: toAccount(current), after });
    return after;
  });
}
