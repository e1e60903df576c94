import { CrmError, resolveInputSchema, resolveResponsible, type ResolutionOutput } from '@crmkit/core';
import type { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { loadProductLine } from '../product-lines/product-lines.js';
import { asOfInstant } from '../teams/read.js';
import { assertCanSeeAccount } from '../visibility.js';
import { loadRoutingFacts } from './routing-facts.js';

/**
 * Who is responsible for the account (for a purpose, a product line, an order's rep) at `asOf`
 * (default now), and why: the facts in force then, through the one resolver.
 */
export async function resolveOwnership(ctx: ServiceContext, input: z.input<typeof resolveInputSchema>): Promise<ResolutionOutput> {
  authorize(ctx.actor, 'ownership:read');
  const q = resolveInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  await assertCanSeeAccount(ctx, q.accountId);
  if (q.productLineId) {
    if (ctx.reads.routing) {
      if (!(await ctx.reads.routing.productLineExists(tenantId, q.productLineId))) throw CrmError.notFound('product line', q.productLineId);
    } else await loadProductLine(ctx.db, tenantId, q.productLineId);
  }
  const at = asOfInstant(ctx, q.asOf);
  const facts = await loadRoutingFacts(ctx.reads.routing ?? ctx.db, { tenantId, accountId: q.accountId, at, purpose: q.purpose, productLineId: q.productLineId, orderRepId: q.orderRepId });
  const { userId, explanation } = resolveResponsible(facts);
  return { accountId: q.accountId, userId, at: at.toISOString(), explanation };
}
