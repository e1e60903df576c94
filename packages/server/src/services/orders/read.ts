import { decodeCursor, encodeCursor, getOrderInputSchema, listOrdersInputSchema, type ListOrdersInput, type Order, type OrderSummary, type Page } from '@crmkit/core';
import { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { assertCanSeeAccount, visibilityOf, visibleAccountIds } from '../visibility.js';
import { loadVisibleOrder, orderSelect, toOrder, toOrderSummary } from './order-rows.js';

/** An order with its lines (NOT_FOUND unless the caller may see its ordering account). */
export async function getOrder(ctx: ServiceContext, input: z.input<typeof getOrderInputSchema>): Promise<Order> {
  authorize(ctx.actor, 'orders:read');
  const { id } = getOrderInputSchema.parse(input);
  const { order, lines } = await loadVisibleOrder(ctx.db, ctx, id, await visibilityOf(ctx));
  return toOrder(order, lines);
}

const cursorShape = z.object({ id: z.string() });

/**
 * Orders the caller may see (those of visible ordering accounts), newest first, filtered by
 * ordering account, bill-to account, status and the period they were placed in.
 */
export async function listOrders(ctx: ServiceContext, input: ListOrdersInput): Promise<Page<OrderSummary>> {
  authorize(ctx.actor, 'orders:read');
  const q = listOrdersInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const scope = await visibilityOf(ctx);
  if (q.orderingAccountId) await assertCanSeeAccount(ctx, q.orderingAccountId);
  if (q.billToAccountId) await assertCanSeeAccount(ctx, q.billToAccountId);
  const after = q.cursor ? decodeCursor(q.cursor, cursorShape) : null;
  const visibleAccounts = await visibleAccountIds(ctx, scope);
  const rows = await ctx.db.order.findMany({
    where: {
      tenantId,
      ...(after ? { id: { lt: after.id } } : {}),
      ...(q.orderingAccountId ? { orderingAccountId: q.orderingAccountId } : {}),
      ...(visibleAccounts ? { AND: [{ orderingAccountId: { in: visibleAccounts } }] } : {}),
      ...(q.billToAccountId ? { billToAccountId: q.billToAccountId } : {}),
      ...(q.status ? { status: { in: q.status } } : {}),
      ...(q.orderedFrom || q.orderedBefore
        ? { orderedAt: { ...(q.orderedFrom ? { gte: new Date(q.orderedFrom) } : {}), ...(q.orderedBefore ? { lt: new Date(q.orderedBefore) } : {}) } }
        : {}),
    },
    orderBy: { id: 'desc' },
    take: q.limit + 1,
    select: orderSelect,
  });
  const page = rows.slice(0, q.limit);
  const invoiced = page.length
    ? await ctx.db.orderLine.groupBy({ by: ['orderId'], where: { tenantId, orderId: { in: page.map((o) => o.id) } }, _sum: { invoicedMinor: true } })
    : [];
  const invoicedOf = new Map(invoiced.map((g) => [g.orderId, Number(g._sum.invoicedMinor ?? 0)]));
  return {
    items: page.map((o) => toOrderSummary(o, invoicedOf.get(o.id) ?? 0)),
    nextCursor: rows.length > q.limit ? encodeCursor({ id: page[page.length - 1]!.id }) : null,
  };
}
