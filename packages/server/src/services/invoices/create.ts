import { appliedToOrderLine, assertOrderAllows, createInvoiceInputSchema, CrmError, invoiceTotal, newId, type CreateInvoiceInput, type Invoice, type OrderStatus } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { noteBreaches } from '../credit/breach.js';
import { applyExposure, lockForExposure } from '../exposure/figures.js';
import { changeInvoiced } from '../orders/invoicing.js';
import { lineFigures, orderLineSelect } from '../orders/order-rows.js';
import { loadVisibleAccount, visibilityOf } from '../visibility.js';
import { loadInvoice, toInvoice } from './invoice-rows.js';

/**
 * Issues an invoice to a bill-to account in one currency. A line naming an order line (of a
 * confirmed order billed to the same account, in the same currency) reduces that line's
 * uninvoiced remainder, never below zero; the excess (freight, tax) is invoice-only. The invoice's
 * open balance counts toward the bill-to account's exposure, and the order's remainder stops
 * counting, in the same transaction. The total must be positive (credit with a credit note).
 */
export async function createInvoice(ctx: ServiceContext, input: CreateInvoiceInput): Promise<Invoice> {
  authorize(ctx.actor, 'invoices:write');
  const q = createInvoiceInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const scope = await visibilityOf(ctx);
  const total = invoiceTotal(q.lines.map((l) => l.amountMinor));
  return inTransaction(ctx, async (tx) => {
    await lockForExposure(tx, ctx);
    await loadVisibleAccount(tx, tenantId, q.billToAccountId, scope);
    const orderLineIds = q.lines.flatMap((l) => (l.orderLineId ? [l.orderLineId] : []));
    const orderLines = orderLineIds.length ? await tx.orderLine.findMany({ where: { tenantId, id: { in: orderLineIds } }, select: orderLineSelect }) : [];
    const orders = orderLines.length
      ? await tx.order.findMany({ where: { tenantId, id: { in: [...new Set(orderLines.map((l) => l.orderId))] } }, select: { id: true, billToAccountId: true, currency: true, status: true } })
      : [];
    const lineOf = new Map(orderLines.map((l) => [l.id, l]));
    const orderOf = new Map(orders.map((o) => [o.id, o]));
    const id = newId('inv', ctx.clock);
    const now = ctx.clock.now();
    const invoiced: { orderLineId: string; deltaMinor: number }[] = [];
    const lines = q.lines.map((line, i) => {
      let applied = 0;
      if (line.orderLineId) {
        const orderLine = lineOf.get(line.orderLineId);
        const order = orderLine && orderOf.get(orderLine.orderId);
        if (!orderLine || !order) throw CrmError.validation(`lines.${i}.orderLineId`, `order line ${line.orderLineId} does not exist`);
        if (order.billToAccountId !== q.billToAccountId) {
          throw CrmError.validation(`lines.${i}.orderLineId`, `order ${order.id} is billed to ${order.billToAccountId}, not to ${q.billToAccountId}`, { orderId: order.id });
        }
        if (order.currency !== q.currency) throw CrmError.validation(`lines.${i}.orderLineId`, `order ${order.id} is in ${order.currency}, the invoice in ${q.currency}`, { orderId: order.id });
        assertOrderAllows({ id: order.id, status: order.status as OrderStatus }, 'invoice');
        applied = appliedToOrderLine(lineFigures(orderLine), line.amountMinor, `lines.${i}`);
        invoiced.push({ orderLineId: orderLine.id, deltaMinor: applied });
      }
      return { id: newId('inl', ctx.clock), tenantId, invoiceId: id, position: i, description: line.description, amountMinor: line.amountMinor, orderLineId: line.orderLineId ?? null, appliedToOrderMinor: applied };
    });
    await tx.invoice.create({
      data: {
        id, tenantId, kind: 'invoice', billToAccountId: q.billToAccountId, currency: q.currency, number: q.number ?? null, issuedAt: q.issuedAt ? new Date(q.issuedAt) : now,
        dueDate: q.dueDate, totalMinor: total, openMinor: total, status: 'open', note: q.note ?? null, createdBy: `${ctx.actor.type}:${ctx.actor.id}`, version: 1, createdAt: now, updatedAt: now,
      },
    });
    await tx.invoiceLine.createMany({ data: lines });
    await changeInvoiced(tx, ctx, invoiced, 'order.invoiced');
    await applyExposure(tx, ctx, [{ accountId: q.billToAccountId, currency: q.currency, invoicesOpenMinor: total }]);
    const loaded = await loadInvoice(tx, tenantId, id);
    const invoice = toInvoice(loaded.invoice, loaded.lines);
    await recordChange(tx, ctx, { action: 'invoice.created', entityType: 'invoice', entityId: id, before: null, after: invoice });
    if (total > 0) await noteBreaches(tx, ctx, [q.billToAccountId], `invoice ${id}`);
    return invoice;
  });
}
