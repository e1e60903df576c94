import { DAY_MS, poolPreviewInputSchema } from '@crmkit/core';
import type { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { visibilityOf } from '../visibility.js';
import { judgeOwnedAccounts, toPoolReturn, type PoolReturn } from './due.js';
import { loadPoolPolicies } from './policy.js';

/**
 * Dry run of the sweep: the owned accounts the caller can see that return to the pool by
 * `now + withinDays` days, when, and why, ordered by due time. With `withinDays: 0` it lists
 * exactly what a sweep run now returns (both judge with the same function at the same instant).
 */
export async function previewPool(ctx: ServiceContext, input: z.input<typeof poolPreviewInputSchema>): Promise<{ at: string; until: string; returns: PoolReturn[] }> {
  authorize(ctx.actor, 'pool:claim');
  const { withinDays } = poolPreviewInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const at = ctx.clock.now();
  const until = new Date(at.getTime() + withinDays * DAY_MS);
  const [policies, scope] = await Promise.all([loadPoolPolicies(ctx.db, tenantId), visibilityOf(ctx)]);
  const due = await judgeOwnedAccounts(ctx.db, { tenantId, policies, at, dueBy: () => until, visibility: scope });
  return { at: at.toISOString(), until: until.toISOString(), returns: due.map(toPoolReturn) };
}
