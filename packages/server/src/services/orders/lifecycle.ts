import {
  assertOrderAllows, cancelOrderInputSchema, CrmError, orderOpenMinor, type VisibilityScope, fulfilOrderInputSchema, orderActionInputSchema, type CancelOrderInput, type FulfilOrderInput, type Order, type OrderActionInput,
} from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import type { SyncRoutingRows } from '../../db/routing-reads.js';
import type { SqliteWrite } from '../../db/sqlite-writer.js';
import { assertActive } from '../accounts/account-rows.js';
import { assertVersion } from '../versions.js';
import type { OwnedAccountRow } from '../../db/account-reads.js';
import { inTransaction, recordChangeOn } from '../audit/record.js';
import { applyExposureOn, lockForExposure } from '../exposure/figures.js';
import { loadVisibleAccountOn, visibilityOf } from '../visibility.js';
import { attributeLines, attributeLinesOn } from './attribution.js';
import { lineFigures, lineRowFromSqlite, loadVisibleOrder, minor, orderByIdSql, orderLinesSql, orderRowFromSqlite, toOrder, type OrderLineRow, type OrderRow } from './order-rows.js';
import { nextStatus, saveOrder } from './save.js';

type Loaded = { order: OrderRow; lines: OrderLineRow[]; orderingAccount: OwnedAccountRow; answer: Order };

/** Runs an order action in one transaction: the order loaded as the caller may see it, at the expected version. */
async function withOrder<T>(ctx: ServiceContext, input: { id: string; expectedVersion?: number | undefined }, fn: (tx: Tx, loaded: Loaded) => Promise<T>): Promise<T> {
  authorize(ctx.actor, 'orders:write');
  const scope = await visibilityOf(ctx);
  return inTransaction(ctx, async (tx) => {
    await lockForExposure(tx, ctx);
    const { order, lines, orderingAccount } = await loadVisibleOrder(tx, ctx, input.id, scope);
    assertVersion('order', order, input.expectedVersion);
    return fn(tx, { order, lines, orderingAccount, answer: toOrder(order, lines) });
  });
}

/**
 * Confirms a draft: each line records who answers for it as of now (owner of record and person
 * acting, with explanations), and the order starts counting toward its bill-to account's exposure
 * (confirmed, not yet invoiced). The ordering account must still be active.
 */
export async function confirmOrder(ctx: ServiceContext, input: OrderActionInput): Promise<Order> {
  const q = orderActionInputSchema.parse(input);
  if (ctx.writer && ctx.reads.routing) {
    authorize(ctx.actor, 'orders:write');
    const scope = await visibilityOf(ctx);
    const routing = ctx.reads.routing.sync;
    return ctx.writer.transaction((w) => confirmOn(w, ctx, q, scope, routing));
  }
  return withOrder(ctx, q, async (tx, loaded) => {
    assertOrderAllows(loaded.answer, 'confirm');
    assertActive(loaded.orderingAccount, 'ordering account');
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

/**
 * {@link confirmOrder} on SQLite's driver, as one synchronous transaction: the same checks, the
 * same attribution (routing facts read on the driver as of now), the same order row, exposure
 * figures, audit and outbox event. SQLite runs one write transaction at a time: nothing to lock.
 */
function confirmOn(w: SqliteWrite, ctx: ServiceContext, q: { id: string; expectedVersion?: number | undefined }, scope: VisibilityScope, routing: SyncRoutingRows): Order {
  const { tenantId } = ctx.actor;
  const found = w.get<Record<string, unknown>>(orderByIdSql, q.id, tenantId);
  if (!found) throw CrmError.notFound('order', q.id);
  const order = orderRowFromSqlite(found);
  let ordering;
  try {
    ordering = loadVisibleAccountOn(w, tenantId, order.orderingAccountId, scope);
  } catch {
    throw CrmError.notFound('order', q.id);
  }
  const lines = w.all<Record<string, unknown>>(orderLinesSql, tenantId, order.id).map(lineRowFromSqlite);
  assertVersion('order', order, q.expectedVersion);
  const before = toOrder(order, lines);
  assertOrderAllows(before, 'confirm');
  assertActive(ordering, 'ordering account');
  const now = ctx.clock.now();
  attributeLinesOn(w, routing, ctx, order, lines, now);
  // A reopened order keeps what was delivered and invoiced before it was cancelled.
  const status = nextStatus('confirmed', lines);
  const openMinor = orderOpenMinor(status, lines.map(lineFigures));
  const closedAt = status === 'closed' ? (order.closedAt ?? now) : null;
  const updated = w.run(
    'UPDATE "Order" SET "confirmedAt" = ?, "status" = ?, "openMinor" = ?, "closedAt" = ?, "version" = ?, "updatedAt" = ? WHERE "id" = ? AND "tenantId" = ? AND "version" = ?',
    now, status, openMinor, closedAt, order.version + 1, now, order.id, tenantId, order.version,
  );
  if (updated.changes !== 1) throw new CrmError('CONFLICT', `order ${order.id} changed meanwhile; read it again`, { details: { id: order.id } });
  applyExposureOn(w, ctx, [
    { accountId: order.billToAccountId, currency: order.currency, ordersOpenMinor: -minor(order.openMinor) },
    { accountId: order.billToAccountId, currency: order.currency, ordersOpenMinor: openMinor },
  ]);
  const after = toOrder(orderRowFromSqlite(w.get<Record<string, unknown>>(orderByIdSql, order.id, tenantId)!), lines);
  recordChangeOn(w, ctx, { action: 'order.confirmed', entityType: 'order', entityId: order.id, before, after });
  return after;
}
