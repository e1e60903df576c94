import { ownershipHistoryInputSchema, type OwnershipPeriod } from '@crmkit/core';
import type { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { assertCanSeeAccount } from '../visibility.js';
import { toPeriod } from './change-ownership.js';

/** Every ownership period of an account, oldest first (the last one is open when the account is owned). */
export async function ownershipHistory(ctx: ServiceContext, input: z.input<typeof ownershipHistoryInputSchema>): Promise<{ accountId: string; periods: OwnershipPeriod[] }> {
  authorize(ctx.actor, 'ownership:read');
  const { accountId } = ownershipHistoryInputSchema.parse(input);
  await assertCanSeeAccount(ctx, accountId);
  const rows = await ctx.db.accountOwnership.findMany({ where: { tenantId: ctx.actor.tenantId, accountId }, orderBy: [{ validFrom: 'asc' }, { id: 'asc' }] });
  return { accountId, periods: rows.map(toPeriod) };
}
