import { CrmError, voidInvoiceInputSchema, type Invoice, type ExposureDelta } from '@crmkit/core';
import type { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { noteBreaches, raisedBy } from '../credit/breach.js';
import { applyExposure, lockForExposure } from '../exposure/figures.js';
import { changeInvoiced } from '../orders/invoicing.js';
import { minor } from '../orders/order-rows.js';
import { visibilityOf } from '../visibility.js';
import { assertVersion } from '../versions.js';
import { loadInvoice, loadVisibleInvoice, toInvoice } from './invoice-rows.js';

/**
 * Voids an invoice or a credit note, with a reason. Voiding an invoice reverses the payments
 * allocated to it (their amounts go back on account), gives its order lines their uninvoiced
 * remainder back, and removes its balance from exposure; an invoice with credit notes that are not
 * void is refused (void them first). Voiding a credit note takes its credit back off the invoice
 * it settled and off the account's credit.
 */
export async function voidInvoice(ctx: ServiceContext, input: z.input<typeof voidInvoiceInputSchema>): Promise<Invoice> {
  authorize(ctx.actor, 'invoices:write');
  const q = voidInvoiceInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const scope = await visibilityOf(ctx);
  return inTransaction(ctx, async (tx) => {
    await lockForExposure(tx, ctx);
    const { invoice, lines } = await loadVisibleInvoice(tx, ctx, q.id, scope);
    assertVersion(invoice.kind === 'invoice' ? 'invoice' : 'credit note', invoice, q.expectedVersion);
    if (invoice.status === 'void') throw new CrmError('PRECONDITION_FAILED', `${invoice.id} is already void`, { details: { id: invoice.id } });
    const before = toInvoice(invoice, lines);
    const now = ctx.clock.now();
    const deltas: ExposureDelta[] = [];
    if (invoice.kind === 'invoice') {
      const notes = await tx.invoice.count({ where: { tenantId, correctsInvoiceId: invoice.id, status: { not: 'void' } } });
      if (notes > 0) throw new CrmError('PRECONDITION_FAILED', `invoice ${invoice.id} has ${notes} credit note(s) that are not void: void them first`, { details: { id: invoice.id, creditNotes: notes } });
      const settlements = await tx.invoiceSettlement.findMany({ where: { tenantId, invoiceId: invoice.id, voidedAt: null, paymentId: { not: null } } });
      for (const s of settlements) {
        await tx.invoiceSettlement.update({ where: { id: s.id }, data: { voidedAt: now } });
        const payment = await tx.payment.update({ where: { id: s.paymentId! }, data: { allocatedMinor: { decrement: s.amountMinor }, version: { increment: 1 }, updatedAt: now }, select: { accountId: true, currency: true } });
        deltas.push({ accountId: payment.accountId, currency: payment.currency, onAccountCreditMinor: minor(s.amountMinor) });
      }
      deltas.push({ accountId: invoice.billToAccountId, currency: invoice.currency, invoicesOpenMinor: -minor(invoice.openMinor) });
      await markVoid(tx, invoice.id, q.reason, now);
      await changeInvoiced(tx, ctx, lines.flatMap((l) => (l.orderLineId ? [{ orderLineId: l.orderLineId, deltaMinor: -minor(l.appliedToOrderMinor) }] : [])), 'order.invoice_voided');
    } else {
      const settlement = await tx.invoiceSettlement.findFirst({ where: { tenantId, creditNoteId: invoice.id, voidedAt: null } });
      if (settlement) {
        await tx.invoiceSettlement.update({ where: { id: settlement.id }, data: { voidedAt: now } });
        await tx.invoice.update({ where: { id: settlement.invoiceId }, data: { openMinor: { increment: settlement.amountMinor }, status: 'open', version: { increment: 1 }, updatedAt: now } });
        deltas.push({ accountId: invoice.billToAccountId, currency: invoice.currency, invoicesOpenMinor: minor(settlement.amountMinor) });
      }
      for (const l of lines) if (l.correctsLineId) await tx.invoiceLine.update({ where: { id: l.correctsLineId }, data: { creditedMinor: { decrement: -minor(l.amountMinor) } } });
      // The credit still unapplied (a negative open amount) leaves the account's credit.
      deltas.push({ accountId: invoice.billToAccountId, currency: invoice.currency, onAccountCreditMinor: minor(invoice.openMinor) });
      await markVoid(tx, invoice.id, q.reason, now);
    }
    await applyExposure(tx, ctx, deltas);
    const after = await loadInvoice(tx, tenantId, invoice.id);
    const answer = toInvoice(after.invoice, after.lines);
    await recordChange(tx, ctx, { action: 'invoice.voided', entityType: 'invoice', entityId: invoice.id, before, after: answer });
    await noteBreaches(tx, ctx, raisedBy(deltas), `voiding ${invoice.id}`);
    return answer;
  });
}

async function markVoid(tx: Tx, id: string, reason: string, at: Date): Promise<void> {
  await tx.invoice.update({ where: { id }, data: { status: 'void', openMinor: 0, voidedAt: at, voidReason: reason, version: { increment: 1 }, updatedAt: at } });
}
