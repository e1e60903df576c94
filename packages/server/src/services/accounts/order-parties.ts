import { orderPartyDefaults, type OrderParties } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { ancestorChain, assertActive, loadAccount } from './account-rows.js';

/** The default bill-to and ship-to accounts for an order placed by an account, with the reasoning. */
export async function orderParties(ctx: ServiceContext, input: { orderingAccountId: string }): Promise<OrderParties> {
  authorize(ctx.actor, 'accounts:read');
  const ordering = await loadAccount(ctx.db, ctx.actor.tenantId, input.orderingAccountId);
  assertActive(ordering);
  const chain = await ancestorChain(ctx.db, ctx.actor.tenantId, ordering.id);
  return { orderingAccountId: ordering.id, ...orderPartyDefaults(chain) };
}
