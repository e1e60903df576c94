import {
  assertOrderAllows, cancelOrderInputSchema, CrmError, fulfilOrderInputSchema, orderActionInputSchema, type CancelOrderInput, type FulfilOrderInput, type Order, type OrderActionInput,
} from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { assertActive, loadAccount } from '../accounts/account-rows.js';
import { inTransaction } from '../audit/record.js';
import { lockForExposure } from '../exposure/figures.js';
import { visibilityOf } from '../visibility.js';
import { attributeLines } from './attribution.js';
import { assertOrderVersion, loadVisibleOrder, toOrder, type OrderLineRow, type OrderRow } from './order-rows.js';
import { nextStatus, saveOrder } from './save.js';

type Loaded = { order: OrderRow; lines: OrderLineRow[]; answer: Order };

/** Runs an order action in one transaction: the order loaded as the caller may see it, at the expected version. */
async function withOrder<T>(ctx: ServiceContext, input: { id: string; expectedVersion?: number | undefined }, fn: (tx: Tx, loaded: Loaded) => Promise<T>): Promise<T> {
  authorize(ctx.actor, 'orders:write');
  const scope = await visibilityOf(ctx);
  return inTransaction(ctx, async (tx) => {
    await lockForExposure(tx, ctx);
    const { order, lines } = await loadVisibleOrder(tx, ctx, input.id, scope);
    assertOrderVersion(order, input.expectedVersion);
    return fn(tx, { order, lines, answer: toOrder(order, lines) });
  });
}

/**
 * Confirms a draft: each line records who answers for it as of now (owner of record and person
 * acting, with explanations), and the order starts counting toward its bill-to account's exposure
 * (confirmed, not yet invoiced). The ordering account must still be active.
 */
export async function confirmOrder(ctx: ServiceContext, input: OrderActionInput): Promise<Order> {
  const q = orderActionInputSchema.parse(input);
  return withOrder(ctx, q, async (tx, loaded) => {
    assertOrderAllows(loaded.answer, 'confirm');
    assertActive(await loadAccount(tx, ctx.actor.tenantId, loaded.order.orderingAccountId), 'ordering account');
    const now = ctx.clock.now();
    await attributeLines(tx, ctx, loaded.order, loaded.lines, now);
    // A reopened order keeps what was delivered and invoiced before it was cancelled.
    return saveOrder(tx, ctx, loaded, { action: 'order.confirmed', status: nextStatus('confirmed', loaded.lines), columns: { confirmedAt: now } });
  });
}

/**
 * Records deliveries: the quantities delivered now, added per line to what was delivered before,
 * never beyond the quantity ordered. The order becomes partly fulfilled or fulfilled (and closes
 * when it is also wholly invoiced).
 */
export async function fulfilOrder(ctx: ServiceContext, input: FulfilOrderInput): Promise<Order> {
  const q = fulfilOrderInputSchema.parse(input);
  return withOrder(ctx, q, async (tx, loaded) => {
    assertOrderAllows(loaded.answer, 'fulfil');
    const byId = new Map(loaded.lines.map((l) => [l.id, l]));
    for (const [i, f] of q.lines.entries()) {
      const line = byId.get(f.lineId);
      if (!line) throw CrmError.validation(`lines.${i}.lineId`, `line ${f.lineId} is not a line of order ${loaded.order.id}`);
      if (line.unitPriceMinor < 0n) throw CrmError.validation(`lines.${i}.lineId`, `line ${f.lineId} is a discount line: there is nothing to deliver`);
      const left = line.quantity - line.fulfilledQuantity;
      if (f.quantity > left) throw CrmError.validation(`lines.${i}.quantity`, `only ${left} of line ${f.lineId} remain to be delivered`, { remaining: left });
    }
    for (const f of q.lines) {
      const line = byId.get(f.lineId)!;
      line.fulfilledQuantity += f.quantity;
      await tx.orderLine.update({ where: { id: line.id }, data: { fulfilledQuantity: line.fulfilledQuantity } });
    }
    return saveOrder(tx, ctx, loaded, { action: 'order.fulfilled', status: nextStatus(loaded.answer.status, loaded.lines) });
  });
}

/**
 * Cancels an order that is not closed: it stops counting toward exposure. What was invoiced stays
 * invoiced (cancelling closes only the uninvoiced remainder). `orders.reopen` brings it back as a draft.
 */
export async function cancelOrder(ctx: ServiceContext, input: CancelOrderInput): Promise<Order> {
  const q = cancelOrderInputSchema.parse(input);
  return withOrder(ctx, q, async (tx, loaded) => {
    assertOrderAllows(loaded.answer, 'cancel');
    return saveOrder(tx, ctx, loaded, { action: 'order.cancelled', status: 'cancelled', columns: { cancelledAt: ctx.clock.now(), cancelReason: q.reason } });
  });
}

/** Returns a cancelled order to draft, to be amended and confirmed again (confirmation runs every check again). */
export async function reopenOrder(ctx: ServiceContext, input: OrderActionInput): Promise<Order> {
  const q = orderActionInputSchema.parse(input);
  return withOrder(ctx, q, async (tx, loaded) => {
    assertOrderAllows(loaded.answer, 'reopen');
    return saveOrder(tx, ctx, loaded, { action: 'order.reopened', status: 'draft', columns: { cancelledAt: null, cancelReason: null, confirmedAt: null } });
  });
}
