import { CrmError, type Account } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { accountSelect, assertActive, assertVersion, loadAccount, toAccount } from './account-rows.js';

/** Archives an account. Refused while it has active branches: archive or move those first. */
export async function archiveAccount(ctx: ServiceContext, input: { id: string; expectedVersion?: number | undefined }): Promise<Account> {
  authorize(ctx.actor, 'accounts:write');
  const { tenantId } = ctx.actor;
  return inTransaction(ctx, async (tx) => {
    const current = await loadAccount(tx, tenantId, input.id);
    assertActive(current);
    assertVersion(current, input.expectedVersion);
    const activeChildren = await tx.account.findMany({ where: { tenantId, parentId: current.id, archivedAt: null }, select: { id: true }, take: 20 });
    if (activeChildren.length > 0) {
      throw new CrmError('PRECONDITION_FAILED', `account ${current.id} has active branches; archive or move them first`, { details: { childIds: activeChildren.map((c) => c.id) } });
    }
    const now = ctx.clock.now();
    const row = await tx.account.update({ where: { id: current.id }, data: { archivedAt: now, updatedAt: now, version: current.version + 1 }, select: accountSelect });
    const after = toAccount(row);
    await recordChange(tx, ctx, { action: 'account.archived', entityType: 'account', entityId: current.id, before: toAccount(current), after });
    return after;
  });
}
