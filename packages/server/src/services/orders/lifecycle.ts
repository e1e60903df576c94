import {
  assertOrderAllows, cancelOrderInputSchema, CrmError, type OrderStatus, type VisibilityScope, fulfilOrderInputSchema, orderActionInputSchema, type CancelOrderInput, type FulfilOrderInput, type Order, type OrderActionInput,
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
import { lineRowFromSqlite, loadVisibleOrder, minor, orderByIdSql, orderLinesSql, orderRowFromSqlite, toOrder, type OrderLineRow, type OrderRow } from './order-rows.js';
import { nextStatus, openMinorOf, saveOrder } from './save.js';
import { checkCreditOnDriver, checkCreditOnTx, creditEventData, creditPolicyOnDriver, creditPolicyOnTx, recordDecision, recordDecisionOn, recordRefusal } from '../credit/check.js';
import { closeApprovals, holdOrder } from '../credit/approvals.js';

export type Loaded = { order: OrderRow; lines: OrderLineRow[]; orderingAccount: OwnedAccountRow; answer: Order; scope: VisibilityScope };

/** Runs an order action in one transaction: the order loaded as the caller may see it, at the expected version. */
export async function withOrder<T>(ctx: ServiceContext, input: { id: string; expectedVersion?: number | undefined }, fn: (tx: Tx, loaded: Loaded) => Promise<T>): Promise<T> {
  authorize(ctx.actor, 'orders:write');
  const scope = await visibilityOf(ctx);
  return inTransaction(ctx, async (tx) => {
    await lockForExposure(tx, ctx);
    const { order, lines, orderingAccount } = await loadVisibleOrder(tx, ctx, input.id, scope);
    assertVersion('order', order, input.expectedVersion);
    return fn(tx, { order, lines, orderingAccount, answer: toOrder(order, lines), scope });
  });
}

/** The driver path's answer when the check holds the order: the Prisma path opens the approval request. */
const HOLD_ELSEWHERE = Symbol('hold on the Prisma path');

/**
 * Confirms a draft: each line records who answers for it as of now (owner of record and person
 * acting, with explanations), and the order starts counting toward its bill-to account's exposure
 * (confirmed, not yet invoiced). The ordering account must still be active.
 *
 * Under the tenant's `confirmation` credit policy (the default) the order's amount is checked
 * against every limit on its bill-to account's path first, in the same transaction
 * (docs/concepts/credit.md): a breach refuses (CREDIT_LIMIT_EXCEEDED, CREDIT_HOLD,
 * OVERDUE_INVOICES) or, under the `hold` policy, leaves the order `on_hold` with an approval request.
 */
export async function confirmOrder(ctx: ServiceContext, input: OrderActionInput): Promise<Order> {
  const q = orderActionInputSchema.parse(input);
  try {
    if (ctx.writer && ctx.reads.routing) {
      authorize(ctx.actor, 'orders:write');
      const scope = await visibilityOf(ctx);
      const routing = ctx.reads.routing.sync;
      const done = await ctx.writer.transaction((w) => confirmOn(w, ctx, q, scope, routing));
      if (done !== HOLD_ELSEWHERE) return done;
    }
    return await withOrder(ctx, q, (tx, loaded) => confirmLoaded(tx, ctx, loaded));
  } catch (error) {
    return recordRefusal(ctx, error);
  }
}

async function confirmLoaded(tx: Tx, ctx: ServiceContext, loaded: Loaded): Promise<Order> {
  assertOrderAllows(loaded.answer, 'confirm');
  assertActive(loaded.orderingAccount, 'ordering account');
  const now = ctx.clock.now();
  const { order, lines } = loaded;
  const known = await creditPolicyOnTx(tx, ctx);
  const basis = known.policy.checkAt;
  // A reopened order keeps what was delivered and invoiced before it was cancelled.
  const status = nextStatus('confirmed', lines);
  const amountMinor = Math.max(0, openMinorOf(status, lines, basis) - minor(order.openMinor));
  // Under the fulfilment basis a confirmation adds only what was delivered before (a reopened order): checked when there is any.
  const verdict = basis === 'confirmation' || amountMinor > 0
    ? await checkCreditOnTx(tx, ctx, loaded.scope, { action: 'confirm', orderId: order.id, billToId: order.billToAccountId, currency: order.currency, amountMinor }, known)
    : null;
  await attributeLines(tx, ctx, order, lines, now);
  if (verdict?.kind === 'hold') return holdOrder(tx, ctx, loaded, verdict, basis);
  const decisionId = verdict?.checked ? await recordDecision(tx, ctx, { kind: 'pass', accountId: order.billToAccountId, orderId: order.id, decision: verdict.decision, explanation: verdict.decision.explanation }) : null;
  return saveOrder(tx, ctx, loaded, {
    action: 'order.confirmed', status, columns: { confirmedAt: now, exposureBasis: basis },
    ...(verdict?.checked ? { event: { credit: creditEventData(verdict, decisionId) } } : {}),
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
    for (const f of q.lines) byId.get(f.lineId)!.fulfilledQuantity += f.quantity;
    const status = nextStatus(loaded.answer.status, loaded.lines);
    // Under the fulfilment basis the delivered quantities start counting now: they are checked.
    const verdict = await checkIncrease(tx, ctx, loaded, 'fulfil', status, loaded.lines);
    for (const f of q.lines) {
      const line = byId.get(f.lineId)!;
      await tx.orderLine.update({ where: { id: line.id }, data: { fulfilledQuantity: line.fulfilledQuantity } });
    }
    return saveOrder(tx, ctx, loaded, { action: 'order.fulfilled', status, ...(verdict ? { event: { credit: verdict } } : {}) });
  }).catch((error: unknown) => recordRefusal(ctx, error));
}

/**
 * The check of a decision that raises what a running order adds to exposure (a delivery under the
 * fulfilment basis, an upward amendment): the increase must pass; any breach refuses whatever the
 * policy (an order already running cannot wait on hold). Nothing to check when nothing increases.
 * Returns the event data of a recorded decision.
 */
export async function checkIncrease(tx: Tx, ctx: ServiceContext, loaded: Pick<Loaded, 'order' | 'scope'>, action: 'fulfil' | 'amend', status: OrderStatus, lines: readonly OrderLineRow[]) {
  const { order } = loaded;
  const increase = openMinorOf(status, lines, order.exposureBasis) - minor(order.openMinor);
  if (increase <= 0) return null;
  const verdict = await checkCreditOnTx(tx, ctx, loaded.scope, { action, orderId: order.id, billToId: order.billToAccountId, currency: order.currency, amountMinor: increase });
  if (!verdict.checked) return null;
  const decisionId = await recordDecision(tx, ctx, { kind: 'pass', accountId: order.billToAccountId, orderId: order.id, decision: verdict.decision, explanation: verdict.decision.explanation });
  return creditEventData(verdict, decisionId);
}

/**
 * Cancels an order that is not closed: it stops counting toward exposure. What was invoiced stays
 * invoiced (cancelling closes only the uninvoiced remainder). `orders.reopen` brings it back as a draft.
 */
export async function cancelOrder(ctx: ServiceContext, input: CancelOrderInput): Promise<Order> {
  const q = cancelOrderInputSchema.parse(input);
  return withOrder(ctx, q, async (tx, loaded) => {
    assertOrderAllows(loaded.answer, 'cancel');
    if (loaded.order.status === 'on_hold') await closeApprovals(tx, ctx, loaded.order.id, 'cancelled', q.reason);
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
function confirmOn(w: SqliteWrite, ctx: ServiceContext, q: { id: string; expectedVersion?: number | undefined }, scope: VisibilityScope, routing: SyncRoutingRows): Order | typeof HOLD_ELSEWHERE {
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
  const known = creditPolicyOnDriver(w, ctx);
  const basis = known.policy.checkAt;
  // A reopened order keeps what was delivered and invoiced before it was cancelled.
  const status = nextStatus('confirmed', lines);
  const openMinor = openMinorOf(status, lines, basis);
  const amountMinor = Math.max(0, openMinor - minor(order.openMinor));
  const verdict = basis === 'confirmation' || amountMinor > 0
    ? checkCreditOnDriver(w, ctx, scope, { action: 'confirm', orderId: order.id, billToId: order.billToAccountId, currency: order.currency, amountMinor }, known)
    : null;
  if (verdict?.kind === 'hold') return HOLD_ELSEWHERE;
  attributeLinesOn(w, routing, ctx, order, lines, now);
  const closedAt = status === 'closed' ? (order.closedAt ?? now) : null;
  const updated = w.run(
    'UPDATE "Order" SET "confirmedAt" = ?, "status" = ?, "openMinor" = ?, "closedAt" = ?, "exposureBasis" = ?, "version" = ?, "updatedAt" = ? WHERE "id" = ? AND "tenantId" = ? AND "version" = ?',
    now, status, openMinor, closedAt, basis, order.version + 1, now, order.id, tenantId, order.version,
  );
  if (updated.changes !== 1) throw new CrmError('CONFLICT', `order ${order.id} changed meanwhile; read it again`, { details: { id: order.id } });
  applyExposureOn(w, ctx, [
    { accountId: order.billToAccountId, currency: order.currency, ordersOpenMinor: -minor(order.openMinor) },
    { accountId: order.billToAccountId, currency: order.currency, ordersOpenMinor: openMinor },
  ]);
  const after = toOrder(orderRowFromSqlite(w.get<Record<string, unknown>>(orderByIdSql, order.id, tenantId)!), lines);
  const decisionId = verdict?.checked ? recordDecisionOn(w, ctx, { kind: 'pass', accountId: order.billToAccountId, orderId: order.id, decision: verdict.decision, explanation: verdict.decision.explanation }) : null;
  recordChangeOn(w, ctx, { action: 'order.confirmed', entityType: 'order', entityId: order.id, before, after, ...(verdict?.checked ? { event: { credit: creditEventData(verdict, decisionId) } } : {}) });
  return after;
}
