import { CrmError, logActivityInputSchema, newId, type Activity } from '@crmkit/core';
import type { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { lockAccounts } from '../../db/locks.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { assertCanSeeAccount } from '../visibility.js';

export function toActivity(row: { id: string; accountId: string; userId: string; kind: string; note: string | null; at: Date }): Activity {
  return { id: row.id, accountId: row.accountId, userId: row.userId, kind: row.kind as Activity['kind'], note: row.note, at: row.at.toISOString() };
}

/**
 * Records a follow-up (call, visit, …) on an account the caller can see, at `at` (default now,
 * never in the future), and moves the account's last follow-up time forward to it, which
 * postpones its return to the pool. A back-dated activity never moves it backwards.
 */
export async function logActivity(ctx: ServiceContext, input: z.input<typeof logActivityInputSchema>): Promise<Activity> {
  authorize(ctx.actor, 'activities:write');
  const data = logActivityInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const now = ctx.clock.now();
  const at = data.at ? new Date(data.at) : now;
  if (at > now) throw CrmError.validation('at', `a follow-up cannot be logged in the future (now is ${now.toISOString()})`);
  return inTransaction(ctx, async (tx) => {
    await assertCanSeeAccount(ctx, data.accountId, tx);
    // Locked before reading archivedAt: a concurrent archive then waits for this follow-up or is seen by it.
    await lockAccounts(tx, ctx, [data.accountId], 'write-under');
    const account = await tx.account.findFirstOrThrow({ where: { id: data.accountId, tenantId }, select: { archivedAt: true, lastFollowUpAt: true } });
    if (account.archivedAt) throw new CrmError('PRECONDITION_FAILED', `account ${data.accountId} is archived`, { details: { id: data.accountId } });
    const row = await tx.activity.create({ data: { id: newId('act', ctx.clock), tenantId, accountId: data.accountId, userId: ctx.actor.id, kind: data.kind, note: data.note ?? null, at } });
    // Only forward, and atomically so against a concurrent follow-up.
    await tx.account.updateMany({ where: { id: data.accountId, tenantId, OR: [{ lastFollowUpAt: null }, { lastFollowUpAt: { lt: at } }] }, data: { lastFollowUpAt: at } });
    const activity = toActivity(row);
    const lastFollowUpAt = account.lastFollowUpAt && account.lastFollowUpAt > at ? account.lastFollowUpAt : at;
    await recordChange(tx, ctx, {
      action: 'account.activity_logged',
      entityType: 'account',
      entityId: data.accountId,
      before: { lastFollowUpAt: account.lastFollowUpAt?.toISOString() ?? null },
      after: { lastFollowUpAt: lastFollowUpAt.toISOString(), activity },
    });
    return activity;
  });
}
