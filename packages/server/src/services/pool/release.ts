import { CrmError, releaseInputSchema, type OwnershipPeriod } from '@crmkit/core';
import type { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { inTransaction } from '../audit/record.js';
import { lockAccounts } from '../../db/locks.js';
import { changeOwnership } from '../ownership/change-ownership.js';
import { assertCanSeeAccount } from '../visibility.js';
import { inPool } from './due.js';

/**
 * The primary owner gives an account back to the pool (team and owners cleared, cause
 * `release`); managers and admins may release any account they see. The reclaim block applies.
 */
export async function releaseAccount(ctx: ServiceContext, input: z.input<typeof releaseInputSchema>): Promise<OwnershipPeriod> {
  authorize(ctx.actor, 'pool:claim');
  const { accountId, reason } = releaseInputSchema.parse(input);
  return inTransaction(ctx, async (tx) => {
    // Locked before anything is read: of two releases at once, the second then finds the account in the pool.
    await lockAccounts(tx, ctx, [accountId]);
    await assertCanSeeAccount(ctx, accountId, tx);
    const account = await tx.account.findFirstOrThrow({ where: { id: accountId, tenantId: ctx.actor.tenantId }, select: { ownerTeamId: true, primaryOwnerId: true } });
    if (inPool(account)) throw new CrmError('PRECONDITION_FAILED', `account ${accountId} is already in the pool`, { details: { accountId } });
    if (account.primaryOwnerId !== ctx.actor.id || ctx.actor.type !== 'user') authorize(ctx.actor, 'pool:manage');
    const period = await changeOwnership(tx, ctx, accountId, { teamId: null, primaryOwnerId: null, secondaryOwnerId: null }, { cause: 'release', reason });
    return period!;
  });
}
