import { assertAmendable, assertOrderAllows, assertRemovable, CrmError, newId, orderTotal, updateOrderInputSchema, type Order, type UpdateOrderInput, type VisibilityScope } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { inTransaction } from '../audit/record.js';
import { lockForExposure } from '../exposure/figures.js';
import { visibilityOf } from '../visibility.js';
import { attributeLines } from './attribution.js';
import { assertProductLines, lineColumns } from './lines.js';
import { assertVersion } from '../versions.js';
import { lineFigures, loadOrder, loadVisibleOrder, minor, toOrder } from './order-rows.js';
import { resolveParties } from './parties.js';
import { nextStatus, saveOrder, type OrderColumns } from './save.js';
import { checkIncrease } from './lifecycle.js';
import { recordRefusal } from '../credit/check.js';
import { voidApprovals } from '../credit/approvals.js';

/**
 * Amends an order. A draft may change its parties, currency, lines, reference and note. A running
 * order (confirmed, partly or wholly fulfilled) may change its lines, reference and note: a kept
 * line never below what was delivered or invoiced, a removed line only if nothing of it was;
 * lines added to it record their attribution as of now; its exposure follows the new amounts.
 * `lines`, when given, is the whole new set; kept lines keep their position, new ones come after.
 */
export async function updateOrder(ctx: ServiceContext, input: UpdateOrderInput): Promise<Order> {
  authorize(ctx.actor, 'orders:write');
  const q = updateOrderInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const scope = await visibilityOf(ctx);
  return amend(ctx, q, tenantId, scope).catch((error: unknown) => recordRefusal(ctx, error));
}

async function amend(ctx: ServiceContext, q: ReturnType<typeof updateOrderInputSchema.parse>, tenantId: string, scope: VisibilityScope): Promise<Order> {
  return inTransaction(ctx, async (tx) => {
    await lockForExposure(tx, ctx);
    const { order, lines } = await loadVisibleOrder(tx, ctx, q.id, scope);
    assertVersion('order', order, q.expectedVersion);
    const before = { order, answer: toOrder(order, lines) };
    assertOrderAllows(before.answer, 'update');
    const draft = order.status === 'draft';
    for (const field of ['billToAccountId', 'shipToAccountId', 'currency'] as const) {
      if (!draft && q[field] !== undefined && q[field] !== order[field]) {
        throw CrmError.validation(field, `order ${order.id} is ${order.status.replace('_', ' ')}: only a draft may change its ${field === 'currency' ? 'currency' : 'parties'}`);
      }
    }
    const columns: OrderColumns = {};
    if (q.reference !== undefined) columns.reference = q.reference;
    if (q.note !== undefined) columns.note = q.note;
    if (q.currency !== undefined) columns.currency = q.currency;
    if (draft && (q.billToAccountId !== undefined || q.shipToAccountId !== undefined)) {
      const parties = await resolveParties(tx, ctx, order.orderingAccountId, {
        billToAccountId: q.billToAccountId ?? order.billToAccountId,
        shipToAccountId: q.shipToAccountId ?? order.shipToAccountId,
      });
      Object.assign(columns, { billToAccountId: parties.billToAccountId, shipToAccountId: parties.shipToAccountId, partyExplanation: JSON.stringify(parties.explanation) });
    }
    if (q.lines) {
      await assertProductLines(tx, ctx, q.lines);
      const existing = new Map(lines.map((l) => [l.id, l]));
      const kept = new Set<string>();
      let nextPosition = Math.max(-1, ...lines.map((l) => l.position)) + 1;
      const amounts: number[] = [];
      const writes: (() => Promise<unknown>)[] = [];
      for (const [i, line] of q.lines.entries()) {
        const cols = lineColumns(line, `lines.${i}`);
        amounts.push(cols.amountMinor);
        if (line.id === undefined) {
          const position = nextPosition++;
          writes.push(() => tx.orderLine.create({ data: { id: newId('orl', ctx.clock), tenantId, orderId: order.id, position, ...cols } }));
          continue;
        }
        const current = existing.get(line.id);
        if (!current || kept.has(line.id)) throw CrmError.validation(`lines.${i}.id`, `line ${line.id} is not a line of order ${order.id}${current ? ' (or appears twice)' : ''}`);
        kept.add(line.id);
        assertAmendable(lineFigures(current), cols, `lines.${i}`);
        if (current.attribution !== null && cols.productLineId !== current.productLineId) {
          throw CrmError.validation(`lines.${i}.productLineId`, `line ${line.id} was attributed for its product line at confirmation; add a new line for another product line`);
        }
        writes.push(() => tx.orderLine.update({ where: { id: current.id }, data: cols }));
      }
      for (const line of lines) if (!kept.has(line.id)) assertRemovable({ id: line.id, ...lineFigures(line) });
      columns.totalMinor = orderTotal(amounts);
      await tx.orderLine.deleteMany({ where: { tenantId, orderId: order.id, id: { notIn: [...kept] } } });
      for (const write of writes) await write();
    }
    const after = await loadOrder(tx, tenantId, order.id);
    if (!draft) await attributeLines(tx, ctx, order, after.lines, ctx.clock.now());
    const status = nextStatus(before.answer.status, after.lines);
    if (Object.keys(columns).length === 0 && !q.lines) return before.answer;
    // A running order amended upward: the increase is checked like a confirmation (any approval it had covers its old amount only).
    const credit = draft ? null : await checkIncrease(tx, ctx, { order, scope }, 'amend', status, after.lines);
    if (!draft && (columns.totalMinor ?? minor(order.totalMinor)) > minor(order.totalMinor)) await voidApprovals(tx, ctx, order.id, 'the order was amended upward after its approval');
    return saveOrder(tx, ctx, before, { action: 'order.updated', status, columns: { ...columns, totalMinor: columns.totalMinor ?? minor(order.totalMinor) }, ...(credit ? { event: { credit } } : {}) });
  });
}
