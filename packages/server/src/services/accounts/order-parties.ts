import { orderPartyDefaults, type OrderParties } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { loadVisibleAccount, visibilityOf } from '../visibility.js';
import { ancestorChain, assertActive } from './account-rows.js';

/**
 * The default bill-to and ship-to accounts for an order placed by an account, with the reasoning.
 * The ordering account must be visible to the caller (else NOT_FOUND). The bill-to follows the
 * group's settling rule over the real hierarchy, so it may name an ancestor the caller cannot
 * see: the answer carries its id only, never its contents.
 */
export async function orderParties(ctx: ServiceContext, input: { orderingAccountId: string }): Promise<OrderParties> {
  authorize(ctx.actor, 'accounts:read');
  const ordering = await loadVisibleAccount(ctx.db, ctx.actor.tenantId, input.orderingAccountId, await visibilityOf(ctx));
  assertActive(ordering);
  const chain = await ancestorChain(ctx.db, ctx.actor.tenantId, ordering.id);
  return { orderingAccountId: ordering.id, ...orderPartyDefaults(chain) };
}
