import { CrmError, nextOrderStatus, orderOpenMinor, type ExposureBasis, type Order, type OrderStatus } from '@crmkit/core';
import type { ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { recordChange } from '../audit/record.js';
import { applyExposure } from '../exposure/figures.js';
import { lineFigures, loadOrder, minor, toOrder, type OrderLineRow, type OrderRow } from './order-rows.js';

/** Core's {@link nextOrderStatus} over stored lines. */
export const nextStatus = (status: OrderStatus, lines: readonly OrderLineRow[]): OrderStatus => nextOrderStatus(status, lines.map(lineFigures));

/** What an order of these lines adds to exposure in `status` on its basis (core's {@link orderOpenMinor}). */
export function openMinorOf(
  status: OrderStatus,
  lines: readonly { amountMinor: bigint | number; invoicedMinor: bigint | number; unitPriceMinor: bigint | number; quantity: number; fulfilledQuantity: number }[],
  basis: string,
): number {
  const figures = lines.map((l) => ({ amountMinor: minor(l.amountMinor), invoicedMinor: minor(l.invoicedMinor), unitPriceMinor: minor(l.unitPriceMinor), quantity: l.quantity, fulfilledQuantity: l.fulfilledQuantity }));
  return orderOpenMinor(status, figures, basis === 'fulfilment' ? 'fulfilment' : 'confirmation');
}

/** The order columns an action may set besides its status (which `saveOrder` sets with its exposure). */
export interface OrderColumns {
  billToAccountId?: string;
  shipToAccountId?: string;
  currency?: string;
  partyExplanation?: string;
  reference?: string | null;
  note?: string | null;
  totalMinor?: number;
  confirmedAt?: Date | null;
  cancelledAt?: Date | null;
  cancelReason?: string | null;
  exposureBasis?: ExposureBasis;
}

/**
 * Writes an order's new state (status, total, the columns given) with its next version, moves its
 * contribution to the bill-to account's exposure from what it was to what it is now, and records
 * the audit and outbox event. Returns the order as answered. CONFLICT when another writer changed
 * the order since it was read.
 */
export async function saveOrder(
  tx: Tx,
  ctx: ServiceContext,
  before: { order: OrderRow; answer: Order },
  change: { action: string; status: OrderStatus; columns?: OrderColumns; event?: Record<string, unknown> },
): Promise<Order> {
  const { tenantId } = ctx.actor;
  const { order } = before;
  const now = ctx.clock.now();
  const lines = await tx.orderLine.findMany({ where: { tenantId, orderId: order.id }, select: { amountMinor: true, invoicedMinor: true, unitPriceMinor: true, quantity: true, fulfilledQuantity: true } });
  const openMinor = openMinorOf(change.status, lines, change.columns?.exposureBasis ?? order.exposureBasis);
  const closedAt = change.status === 'closed' ? (order.closedAt ?? now) : null;
  const updated = await tx.order.updateMany({
    where: { id: order.id, tenantId, version: order.version },
    data: { ...change.columns, status: change.status, openMinor, closedAt, version: order.version + 1, updatedAt: now },
  });
  if (updated.count !== 1) throw new CrmError('CONFLICT', `order ${order.id} changed meanwhile; read it again`, { details: { id: order.id } });
  const billTo = change.columns?.billToAccountId ?? order.billToAccountId;
  const currency = change.columns?.currency ?? order.currency;
  await applyExposure(tx, ctx, [
    { accountId: order.billToAccountId, currency: order.currency, ordersOpenMinor: -minor(order.openMinor) },
    { accountId: billTo, currency, ordersOpenMinor: openMinor },
  ]);
  const after = await loadOrder(tx, tenantId, order.id);
  const answer = toOrder(after.order, after.lines);
  await recordChange(tx, ctx, { action: change.action, entityType: 'order', entityId: order.id, before: before.answer, after: answer, ...(change.event ? { event: change.event } : {}) });
  return answer;
}
