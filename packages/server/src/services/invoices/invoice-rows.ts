import { CrmError, type Invoice, type VisibilityScope } from '@crmkit/core';
import type { ServiceContext } from '../../context.js';
import type { Db, Tx } from '../../db/client.js';
import { minor } from '../orders/order-rows.js';
import { loadAccountBehind } from '../visibility.js';

export const invoiceSelect = {
  id: true, kind: true, billToAccountId: true, currency: true, number: true, issuedAt: true, dueDate: true, totalMinor: true, openMinor: true, status: true,
  correctsInvoiceId: true, note: true, voidedAt: true, voidReason: true, source: true, externalId: true, createdBy: true, version: true, createdAt: true, updatedAt: true,
} as const;
export const invoiceLineSelect = { id: true, invoiceId: true, position: true, description: true, amountMinor: true, orderLineId: true, appliedToOrderMinor: true, correctsLineId: true, creditedMinor: true } as const;

export interface InvoiceRow {
  id: string;
  kind: string;
  billToAccountId: string;
  currency: string;
  number: string | null;
  issuedAt: Date;
  dueDate: string;
  totalMinor: bigint;
  openMinor: bigint;
  status: string;
  correctsInvoiceId: string | null;
  note: string | null;
  voidedAt: Date | null;
  voidReason: string | null;
  source: string;
  externalId: string | null;
  createdBy: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}
export interface InvoiceLineRow {
  id: string;
  invoiceId: string;
  position: number;
  description: string;
  amountMinor: bigint;
  orderLineId: string | null;
  appliedToOrderMinor: bigint;
  correctsLineId: string | null;
  creditedMinor: bigint;
}

export function toInvoiceSummary(row: InvoiceRow): Omit<Invoice, 'lines'> {
  return {
    id: row.id,
    kind: row.kind as Invoice['kind'],
    billToAccountId: row.billToAccountId,
    currency: row.currency,
    number: row.number,
    issuedAt: row.issuedAt.toISOString(),
    dueDate: row.dueDate,
    totalMinor: minor(row.totalMinor),
    openMinor: minor(row.openMinor),
    status: row.status as Invoice['status'],
    correctsInvoiceId: row.correctsInvoiceId,
    note: row.note,
    voidedAt: row.voidedAt?.toISOString() ?? null,
    voidReason: row.voidReason,
    source: row.source,
    externalId: row.externalId,
    createdBy: row.createdBy,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toInvoice(row: InvoiceRow, lines: readonly InvoiceLineRow[]): Invoice {
  return {
    ...toInvoiceSummary(row),
    lines: [...lines]
      .sort((a, b) => a.position - b.position)
      .map((l) => ({
        id: l.id, position: l.position, description: l.description, amountMinor: minor(l.amountMinor), orderLineId: l.orderLineId,
        appliedToOrderMinor: minor(l.appliedToOrderMinor), correctsLineId: l.correctsLineId, creditedMinor: minor(l.creditedMinor),
      })),
  };
}

export async function loadInvoice(db: Db | Tx, tenantId: string, id: string): Promise<{ invoice: InvoiceRow; lines: InvoiceLineRow[] }> {
  const invoice = await db.invoice.findFirst({ where: { id, tenantId }, select: invoiceSelect });
  if (!invoice) throw CrmError.notFound('invoice', id);
  const lines = await db.invoiceLine.findMany({ where: { tenantId, invoiceId: id }, select: invoiceLineSelect, orderBy: { position: 'asc' } });
  return { invoice, lines };
}

/** An invoice the caller may see (visibility follows the bill-to account); NOT_FOUND otherwise. */
export async function loadVisibleInvoice(db: Db | Tx, ctx: ServiceContext, id: string, scope: VisibilityScope) {
  const loaded = await loadInvoice(db, ctx.actor.tenantId, id);
  await loadAccountBehind(db, ctx, scope, loaded.invoice.billToAccountId, 'invoice', id);
  return loaded;
}

/** The top-level account of `accountId`'s group (its root), for the rule that documents stay within one group. */
export async function groupRootOf(db: Db | Tx, tenantId: string, accountId: string): Promise<string | null> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    WITH RECURSIVE up(id, "parentId", lvl) AS (
      SELECT id, "parentId", 0 FROM "Account" WHERE id = ${accountId} AND "tenantId" = ${tenantId}
      UNION ALL
      SELECT a.id, a."parentId", u.lvl + 1 FROM up u CROSS JOIN "Account" a WHERE a.id = u."parentId" AND a."tenantId" = ${tenantId} AND u.lvl < 64
    )
    SELECT id FROM up WHERE "parentId" IS NULL`;
  return rows[0]?.id ?? null;
}
