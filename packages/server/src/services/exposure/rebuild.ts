import { addInto, groupFigures, orderOpenMinor, rebuildExposureInputSchema, zeroFigures, type ExposureFigures, type FigureTable, type OrderStatus, type RebuildExposureResult } from '@crmkit/core';
import type { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { lockHierarchy } from '../accounts/account-rows.js';
import { minor } from '../orders/order-rows.js';

/**
 * Recomputes every exposure figure of the tenant from its documents alone (order lines and the
 * invoice lines that invoiced them, invoices and their settlements, payments and their allocations,
 * credit notes), compares them with the figures kept incrementally, and (unless `dryRun`) replaces
 * them. The two must agree; `differences` lists where they did not.
 */
export async function rebuildExposure(ctx: ServiceContext, input: z.input<typeof rebuildExposureInputSchema>): Promise<RebuildExposureResult> {
  authorize(ctx.actor, 'credit:manage');
  const { dryRun = false } = rebuildExposureInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  return inTransaction(ctx, async (tx) => {
    await lockHierarchy(tx, ctx); // no figure moves while the tenant's are recomputed
    const rebuilt = await figuresFromDocuments(tx, tenantId);
    const kept = await tx.exposureFigure.findMany({ where: { tenantId } });
    const keyOf = (accountId: string, scope: string, currency: string) => `${accountId}\u0000${scope}\u0000${currency}`;
    const rebuiltRows = new Map<string, ExposureFigures & { accountId: string; scope: 'own' | 'group'; currency: string }>();
    for (const [scope, table] of [['own', rebuilt.own], ['group', rebuilt.group]] as const) {
      for (const [accountId, byCurrency] of table) for (const [currency, f] of byCurrency) rebuiltRows.set(keyOf(accountId, scope, currency), { accountId, scope, currency, ...f });
    }
    const differences: RebuildExposureResult['differences'] = [];
    const seen = new Set<string>();
    const same = (a: ExposureFigures, b: ExposureFigures) => a.ordersOpenMinor === b.ordersOpenMinor && a.invoicesOpenMinor === b.invoicesOpenMinor && a.onAccountCreditMinor === b.onAccountCreditMinor;
    for (const k of kept) {
      const key = keyOf(k.accountId, k.scope, k.currency);
      seen.add(key);
      const keptFigures = { ordersOpenMinor: minor(k.ordersOpenMinor), invoicesOpenMinor: minor(k.invoicesOpenMinor), onAccountCreditMinor: minor(k.onAccountCreditMinor) };
      const r = rebuiltRows.get(key) ?? { ...zeroFigures() };
      const rebuiltFigures = { ordersOpenMinor: r.ordersOpenMinor, invoicesOpenMinor: r.invoicesOpenMinor, onAccountCreditMinor: r.onAccountCreditMinor };
      if (!same(keptFigures, rebuiltFigures)) differences.push({ accountId: k.accountId, scope: k.scope as 'own' | 'group', currency: k.currency, kept: keptFigures, rebuilt: rebuiltFigures });
    }
    for (const [key, r] of rebuiltRows) {
      if (seen.has(key) || same(r, zeroFigures())) continue;
      differences.push({ accountId: r.accountId, scope: r.scope, currency: r.currency, kept: zeroFigures(), rebuilt: { ordersOpenMinor: r.ordersOpenMinor, invoicesOpenMinor: r.invoicesOpenMinor, onAccountCreditMinor: r.onAccountCreditMinor } });
    }
    if (!dryRun && differences.length > 0) {
      await tx.exposureFigure.deleteMany({ where: { tenantId } });
      const rows = [...rebuiltRows.values()].map((r) => ({ tenantId, accountId: r.accountId, scope: r.scope, currency: r.currency, ordersOpenMinor: r.ordersOpenMinor, invoicesOpenMinor: r.invoicesOpenMinor, onAccountCreditMinor: r.onAccountCreditMinor }));
      for (let i = 0; i < rows.length; i += 500) await tx.exposureFigure.createMany({ data: rows.slice(i, i + 500) });
      await recordChange(tx, ctx, { action: 'credit.exposure_rebuilt', entityType: 'tenant', entityId: tenantId, before: null, after: { differences: differences.length } });
    }
    return { figures: rebuiltRows.size, differences, dryRun };
  });
}

/** Own and group figures computed from the documents, ignoring every kept figure and every stored running total. */
export async function figuresFromDocuments(tx: Tx, tenantId: string): Promise<{ own: FigureTable; group: FigureTable }> {
  const own: FigureTable = new Map();
  // Orders: what each line has had invoiced, from the invoice lines of invoices that are not void.
  const invoicedLines = await tx.$queryRaw<{ orderLineId: string; applied: bigint | number }[]>`
    SELECT l."orderLineId" AS "orderLineId", SUM(l."appliedToOrderMinor") AS applied
    FROM "InvoiceLine" l JOIN "Invoice" i ON i."id" = l."invoiceId"
    WHERE l."tenantId" = ${tenantId} AND l."orderLineId" IS NOT NULL AND i."status" <> 'void'
    GROUP BY l."orderLineId"`;
  const invoicedOf = new Map(invoicedLines.map((r) => [r.orderLineId, minor(r.applied)]));
  const orders = await tx.order.findMany({ where: { tenantId, status: { in: ['confirmed', 'partially_fulfilled', 'fulfilled'] } }, select: { id: true, billToAccountId: true, currency: true, status: true, exposureBasis: true } });
  const lines = orders.length ? await tx.orderLine.findMany({ where: { tenantId, orderId: { in: orders.map((o) => o.id) } }, select: { id: true, orderId: true, amountMinor: true, unitPriceMinor: true, quantity: true, fulfilledQuantity: true } }) : [];
  const linesOf = new Map<string, { amountMinor: number; invoicedMinor: number; unitPriceMinor: number; quantity: number; fulfilledQuantity: number }[]>();
  for (const l of lines) {
    const list = linesOf.get(l.orderId) ?? [];
    list.push({ amountMinor: minor(l.amountMinor), invoicedMinor: invoicedOf.get(l.id) ?? 0, unitPriceMinor: minor(l.unitPriceMinor), quantity: l.quantity, fulfilledQuantity: l.fulfilledQuantity });
    linesOf.set(l.orderId, list);
  }
  for (const o of orders) addInto(own, o.billToAccountId, o.currency, { ordersOpenMinor: orderOpenMinor(o.status as OrderStatus, linesOf.get(o.id) ?? [], o.exposureBasis === 'fulfilment' ? 'fulfilment' : 'confirmation') });
  // Invoices and credit notes: totals less their settlements that are not reversed.
  const settled = await tx.$queryRaw<{ invoiceId: string; byInvoice: bigint | number }[]>`
    SELECT "invoiceId", SUM("amountMinor") AS "byInvoice" FROM "InvoiceSettlement" WHERE "tenantId" = ${tenantId} AND "voidedAt" IS NULL GROUP BY "invoiceId"`;
  const applied = await tx.$queryRaw<{ creditNoteId: string; byNote: bigint | number }[]>`
    SELECT "creditNoteId", SUM("amountMinor") AS "byNote" FROM "InvoiceSettlement" WHERE "tenantId" = ${tenantId} AND "voidedAt" IS NULL AND "creditNoteId" IS NOT NULL GROUP BY "creditNoteId"`;
  const settledOf = new Map(settled.map((r) => [r.invoiceId, minor(r.byInvoice)]));
  const appliedOf = new Map(applied.map((r) => [r.creditNoteId, minor(r.byNote)]));
  for (const i of await tx.invoice.findMany({ where: { tenantId, status: { not: 'void' } }, select: { id: true, kind: true, billToAccountId: true, currency: true, totalMinor: true } })) {
    if (i.kind === 'invoice') addInto(own, i.billToAccountId, i.currency, { invoicesOpenMinor: minor(i.totalMinor) - (settledOf.get(i.id) ?? 0) });
    else addInto(own, i.billToAccountId, i.currency, { onAccountCreditMinor: -minor(i.totalMinor) - (appliedOf.get(i.id) ?? 0) });
  }
  // Payments: amounts less their allocations that are not reversed.
  const allocated = await tx.$queryRaw<{ paymentId: string; byPayment: bigint | number }[]>`
    SELECT "paymentId", SUM("amountMinor") AS "byPayment" FROM "InvoiceSettlement" WHERE "tenantId" = ${tenantId} AND "voidedAt" IS NULL AND "paymentId" IS NOT NULL GROUP BY "paymentId"`;
  const allocatedOf = new Map(allocated.map((r) => [r.paymentId, minor(r.byPayment)]));
  for (const p of await tx.payment.findMany({ where: { tenantId, status: 'active' }, select: { id: true, accountId: true, currency: true, amountMinor: true } })) {
    addInto(own, p.accountId, p.currency, { onAccountCreditMinor: minor(p.amountMinor) - (allocatedOf.get(p.id) ?? 0) });
  }
  const accounts = await tx.account.findMany({ where: { tenantId }, select: { id: true, parentId: true } });
  const parentOf = new Map(accounts.map((a) => [a.id, a.parentId]));
  return { own, group: groupFigures(own, (id) => parentOf.get(id) ?? null) };
}
