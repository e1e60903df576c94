import { assertCreditable, createCreditNoteInputSchema, CrmError, localDateOf, newId, type CreateCreditNoteInput, type Invoice } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { applyExposure, lockForExposure } from '../exposure/figures.js';
import { minor } from '../orders/order-rows.js';
import { tenantCalendar } from '../tenants/settings.js';
import { visibilityOf } from '../visibility.js';
import { loadInvoice, loadVisibleInvoice, toInvoice } from './invoice-rows.js';

/**
 * Issues a credit note correcting lines of one invoice (a return, a price correction): each line
 * credits an amount off one invoice line, never more than that line has left. The credit settles
 * the invoice's open balance as far as it goes; the rest stays with the bill-to account as credit
 * on account. The order lines invoiced are left as they are: a return is not invoiced again.
 */
export async function createCreditNote(ctx: ServiceContext, input: CreateCreditNoteInput): Promise<Invoice> {
  authorize(ctx.actor, 'invoices:write');
  const q = createCreditNoteInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const scope = await visibilityOf(ctx);
  return inTransaction(ctx, async (tx) => {
    await lockForExposure(tx, ctx);
    const { invoice, lines } = await loadVisibleInvoice(tx, ctx, q.invoiceId, scope);
    if (invoice.kind !== 'invoice') throw CrmError.validation('invoiceId', `${invoice.id} is a credit note: a credit note corrects an invoice`);
    if (invoice.status === 'void') throw new CrmError('PRECONDITION_FAILED', `invoice ${invoice.id} is void`, { details: { id: invoice.id } });
    const byId = new Map(lines.map((l) => [l.id, l]));
    let credit = 0;
    for (const [i, line] of q.lines.entries()) {
      const corrected = byId.get(line.correctsLineId);
      if (!corrected) throw CrmError.validation(`lines.${i}.correctsLineId`, `line ${line.correctsLineId} is not a line of invoice ${invoice.id}`);
      assertCreditable({ id: corrected.id, amountMinor: minor(corrected.amountMinor), creditedMinor: minor(corrected.creditedMinor) }, line.amountMinor, `lines.${i}.amountMinor`);
      credit += line.amountMinor;
    }
    const now = ctx.clock.now();
    const issuedAt = q.issuedAt ? new Date(q.issuedAt) : now;
    const { timeZone } = await tenantCalendar(tx, tenantId);
    const applied = Math.min(credit, minor(invoice.openMinor));
    const unapplied = credit - applied;
    const id = newId('inv', ctx.clock);
    await tx.invoice.create({
      data: {
        id, tenantId, kind: 'credit_note', billToAccountId: invoice.billToAccountId, currency: invoice.currency, number: q.number ?? null, issuedAt,
        dueDate: localDateOf(issuedAt, timeZone), totalMinor: -credit, openMinor: -unapplied, status: unapplied > 0 ? 'open' : 'settled', correctsInvoiceId: invoice.id,
        note: q.reason, createdBy: `${ctx.actor.type}:${ctx.actor.id}`, version: 1, createdAt: now, updatedAt: now,
      },
    });
    await tx.invoiceLine.createMany({
      data: q.lines.map((line, position) => ({
        id: newId('inl', ctx.clock), tenantId, invoiceId: id, position, description: line.description ?? `credit for ${byId.get(line.correctsLineId)!.description}`,
        amountMinor: -line.amountMinor, correctsLineId: line.correctsLineId,
      })),
    });
    for (const line of q.lines) {
      // Guarded: a concurrent credit note on the same line cannot take it below zero.
      const room = minor(byId.get(line.correctsLineId)!.amountMinor) - line.amountMinor;
      const credited = await tx.invoiceLine.updateMany({ where: { id: line.correctsLineId, tenantId, creditedMinor: { lte: room } }, data: { creditedMinor: { increment: line.amountMinor } } });
      if (credited.count !== 1) throw new CrmError('CONFLICT', `invoice ${invoice.id} was credited meanwhile; read it again`, { details: { id: invoice.id } });
    }
    const before = toInvoice(invoice, lines);
    if (applied > 0) {
      const settled = await tx.invoice.updateMany({
        where: { id: invoice.id, tenantId, openMinor: { gte: applied }, status: 'open' },
        data: { openMinor: { decrement: applied }, version: { increment: 1 }, updatedAt: now },
      });
      if (settled.count !== 1) throw new CrmError('CONFLICT', `invoice ${invoice.id} changed meanwhile; read it again`, { details: { id: invoice.id } });
      await tx.invoice.updateMany({ where: { id: invoice.id, tenantId, openMinor: 0 }, data: { status: 'settled' } });
      await tx.invoiceSettlement.create({ data: { id: newId('stl', ctx.clock), tenantId, invoiceId: invoice.id, creditNoteId: id, amountMinor: applied, at: now } });
    }
    await applyExposure(tx, ctx, [{ accountId: invoice.billToAccountId, currency: invoice.currency, invoicesOpenMinor: -applied, onAccountCreditMinor: unapplied }]);
    const corrected = await loadInvoice(tx, tenantId, invoice.id);
    await recordChange(tx, ctx, { action: 'invoice.credited', entityType: 'invoice', entityId: invoice.id, before, after: toInvoice(corrected.invoice, corrected.lines) });
    const note = await loadInvoice(tx, tenantId, id);
    const answer = toInvoice(note.invoice, note.lines);
    await recordChange(tx, ctx, { action: 'invoice.created', entityType: 'invoice', entityId: id, before: null, after: answer });
    return answer;
  });
}
