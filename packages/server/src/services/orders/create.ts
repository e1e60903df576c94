import { createOrderInputSchema, newId, orderTotal, type CreateOrderInput, type Order } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { assertActive } from '../accounts/account-rows.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { loadVisibleAccount, visibilityOf } from '../visibility.js';
import { assertProductLines, lineColumns } from './lines.js';
import { loadOrder, toOrder } from './order-rows.js';
import { resolveParties } from './parties.js';

/**
 * Creates a draft order for a visible, active ordering account. The bill-to and ship-to accounts
 * default from the hierarchy (with the explanation kept on the order); given ones must lie in the
 * ordering account's group. Amounts are `quantity × unitPriceMinor`; the total may not be negative.
 * A draft counts toward no exposure until it is confirmed.
 */
export async function createOrder(ctx: ServiceContext, input: CreateOrderInput): Promise<Order> {
  authorize(ctx.actor, 'orders:write');
  const data = createOrderInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const scope = await visibilityOf(ctx);
  const lines = data.lines.map((l, i) => lineColumns(l, `lines.${i}`));
  const totalMinor = orderTotal(lines.map((l) => l.amountMinor));
  return inTransaction(ctx, async (tx) => {
    const ordering = await loadVisibleAccount(tx, tenantId, data.orderingAccountId, scope);
    assertActive(ordering, 'ordering account');
    const parties = await resolveParties(tx, ctx, ordering.id, data);
    await assertProductLines(tx, ctx, data.lines);
    const now = ctx.clock.now();
    const id = newId('ord', ctx.clock);
    await tx.order.create({
      data: {
        id, tenantId, orderingAccountId: ordering.id, billToAccountId: parties.billToAccountId, shipToAccountId: parties.shipToAccountId, currency: data.currency,
        status: 'draft', totalMinor, openMinor: 0, partyExplanation: JSON.stringify(parties.explanation), reference: data.reference ?? null, note: data.note ?? null,
        orderedAt: data.orderedAt ? new Date(data.orderedAt) : now, createdBy: `${ctx.actor.type}:${ctx.actor.id}`, version: 1, createdAt: now, updatedAt: now,
      },
    });
    await tx.orderLine.createMany({ data: lines.map((l, position) => ({ id: newId('orl', ctx.clock), tenantId, orderId: id, position, ...l })) });
    const loaded = await loadOrder(tx, tenantId, id);
    const order = toOrder(loaded.order, loaded.lines);
    await recordChange(tx, ctx, { action: 'order.created', entityType: 'order', entityId: id, before: null, after: order });
    return order;
  });
}
