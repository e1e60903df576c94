import { decodeCursor, encodeCursor, getInvoiceInputSchema, listInvoicesInputSchema, type Invoice, type Page } from '@crmkit/core';
import { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { assertCanSeeAccount, visibilityOf, visibleAccountIds } from '../visibility.js';
import { invoiceSelect, loadVisibleInvoice, toInvoice, toInvoiceSummary } from './invoice-rows.js';

export async function getInvoice(ctx: ServiceContext, input: z.input<typeof getInvoiceInputSchema>): Promise<Invoice> {
  authorize(ctx.actor, 'invoices:read');
  const { id } = getInvoiceInputSchema.parse(input);
  const { invoice, lines } = await loadVisibleInvoice(ctx.db, ctx, id, await visibilityOf(ctx));
  return toInvoice(invoice, lines);
}

/** Invoices and credit notes the caller may see (of visible bill-to accounts), newest first. */
export async function listInvoices(ctx: ServiceContext, input: z.input<typeof listInvoicesInputSchema>): Promise<Page<Omit<Invoice, 'lines'>>> {
  authorize(ctx.actor, 'invoices:read');
  const q = listInvoicesInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const scope = await visibilityOf(ctx);
  if (q.billToAccountId) await assertCanSeeAccount(ctx, q.billToAccountId);
  const after = q.cursor ? decodeCursor(q.cursor, z.object({ id: z.string() })) : null;
  const visible = await visibleAccountIds(ctx, scope);
  const rows = await ctx.db.invoice.findMany({
    where: {
      tenantId,
      ...(after ? { id: { lt: after.id } } : {}),
      ...(q.billToAccountId ? { billToAccountId: q.billToAccountId } : {}),
      ...(visible ? { AND: [{ billToAccountId: { in: visible } }] } : {}),
      ...(q.kind ? { kind: q.kind } : {}),
      ...(q.status ? { status: { in: q.status } } : {}),
    },
    orderBy: { id: 'desc' },
    take: q.limit + 1,
    select: invoiceSelect,
  });
  const page = rows.slice(0, q.limit);
  return { items: page.map(toInvoiceSummary), nextCursor: rows.length > q.limit ? encodeCursor({ id: page[page.length - 1]!.id }) : null };
}
