import type { ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { loadOrder, orderLineSelect, toOrder } from './order-rows.js';
import { nextStatus, saveOrder } from './save.js';

/**
 * Moves order lines' invoiced amounts (an invoice issued: positive; voided: negative) and brings
 * each affected order along: its status (closed once fulfilled and wholly invoiced, fulfilled again
 * when an invoice is voided), its exposure, its audit event (`action`).
 */
export async function changeInvoiced(tx: Tx, ctx: ServiceContext, changes: readonly { orderLineId: string; deltaMinor: number }[], action: string): Promise<void> {
  const { tenantId } = ctx.actor;
  const moving = changes.filter((c) => c.deltaMinor !== 0);
  if (moving.length === 0) return;
  const lines = await tx.orderLine.findMany({ where: { tenantId, id: { in: moving.map((c) => c.orderLineId) } }, select: { id: true, orderId: true } });
  const orderIds = [...new Set(lines.map((l) => l.orderId))].sort();
  const before = new Map<string, Awaited<ReturnType<typeof loadOrder>>>();
  for (const id of orderIds) before.set(id, await loadOrder(tx, tenantId, id));
  for (const c of moving) await tx.orderLine.update({ where: { id: c.orderLineId }, data: { invoicedMinor: { increment: c.deltaMinor } } });
  for (const id of orderIds) {
    const { order, lines: beforeLines } = before.get(id)!;
    const answer = toOrder(order, beforeLines);
    const now = await tx.orderLine.findMany({ where: { tenantId, orderId: id }, select: orderLineSelect });
    await saveOrder(tx, ctx, { order, answer }, { action, status: nextStatus(answer.status, now) });
  }
}
