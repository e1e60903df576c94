import { CrmError, type ExplanationStep, type LineAttribution, type Order, type OrderLine, type OrderStatus, type OrderSummary, type VisibilityScope } from '@crmkit/core';
import type { ServiceContext } from '../../context.js';
import type { Db, Tx } from '../../db/client.js';
import type { OwnedAccountRow } from '../../db/account-reads.js';
import { loadAccountBehind } from '../visibility.js';

/** The columns of an order row crmkit reads (never more). */
export const orderSelect = {
  id: true, tenantId: true, orderingAccountId: true, billToAccountId: true, shipToAccountId: true, currency: true, status: true, totalMinor: true, openMinor: true,
  partyExplanation: true, reference: true, note: true, orderedAt: true, confirmedAt: true, cancelledAt: true, cancelReason: true, closedAt: true, source: true,
  externalId: true, exposureBasis: true, createdBy: true, version: true, createdAt: true, updatedAt: true,
} as const;

export const orderLineSelect = {
  id: true, orderId: true, position: true, productLineId: true, sku: true, description: true, quantity: true, unitPriceMinor: true, amountMinor: true,
  fulfilledQuantity: true, invoicedMinor: true, attribution: true, ownerOfRecordId: true, ownerOfRecordWhy: true, actingUserId: true, actingWhy: true, attributedAt: true,
} as const;

export interface OrderRow {
  id: string;
  tenantId: string;
  orderingAccountId: string;
  billToAccountId: string;
  shipToAccountId: string;
  currency: string;
  status: string;
  totalMinor: bigint;
  openMinor: bigint;
  partyExplanation: string;
  reference: string | null;
  note: string | null;
  orderedAt: Date;
  confirmedAt: Date | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
  closedAt: Date | null;
  source: string;
  externalId: string | null;
  /** `confirmation` | `fulfilment`: when the order counts toward exposure (fixed at confirmation). */
  exposureBasis: string;
  createdBy: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface OrderLineRow {
  id: string;
  orderId: string;
  position: number;
  productLineId: string | null;
  sku: string | null;
  description: string;
  quantity: number;
  unitPriceMinor: bigint;
  amountMinor: bigint;
  fulfilledQuantity: number;
  invoicedMinor: bigint;
  attribution: string | null;
  ownerOfRecordId: string | null;
  ownerOfRecordWhy: string | null;
  actingUserId: string | null;
  actingWhy: string | null;
  attributedAt: Date | null;
}

/** A stored amount (BIGINT) as a number: crmkit never stores one outside the safe integer range. */
export const minor = (value: bigint | number): number => Number(value);

/** A line's figures as core's rules read them. */
export const lineFigures = (l: OrderLineRow) => ({
  unitPriceMinor: minor(l.unitPriceMinor),
  quantity: l.quantity,
  amountMinor: minor(l.amountMinor),
  fulfilledQuantity: l.fulfilledQuantity,
  invoicedMinor: minor(l.invoicedMinor),
});

function toAttribution(l: OrderLineRow): LineAttribution | null {
  if (!l.attribution || !l.attributedAt) return null;
  return {
    status: l.attribution as LineAttribution['status'],
    at: l.attributedAt.toISOString(),
    ownerOfRecord: { userId: l.ownerOfRecordId, explanation: JSON.parse(l.ownerOfRecordWhy ?? '[]') as ExplanationStep[] },
    acting: { userId: l.actingUserId, explanation: JSON.parse(l.actingWhy ?? '[]') as ExplanationStep[] },
  };
}

export function toOrderLine(l: OrderLineRow): OrderLine {
  const amountMinor = minor(l.amountMinor);
  const invoicedMinor = minor(l.invoicedMinor);
  return {
    id: l.id,
    position: l.position,
    productLineId: l.productLineId,
    sku: l.sku,
    description: l.description,
    quantity: l.quantity,
    unitPriceMinor: minor(l.unitPriceMinor),
    amountMinor,
    fulfilledQuantity: l.fulfilledQuantity,
    invoicedMinor,
    uninvoicedMinor: amountMinor - invoicedMinor,
    attribution: toAttribution(l),
  };
}

export function toOrderSummary(row: OrderRow, invoicedMinor: number): OrderSummary {
  return {
    id: row.id,
    orderingAccountId: row.orderingAccountId,
    billToAccountId: row.billToAccountId,
    shipToAccountId: row.shipToAccountId,
    currency: row.currency,
    status: row.status as OrderStatus,
    totalMinor: minor(row.totalMinor),
    invoicedMinor,
    openMinor: minor(row.openMinor),
    reference: row.reference,
    note: row.note,
    orderedAt: row.orderedAt.toISOString(),
    confirmedAt: row.confirmedAt?.toISOString() ?? null,
    cancelledAt: row.cancelledAt?.toISOString() ?? null,
    cancelReason: row.cancelReason,
    closedAt: row.closedAt?.toISOString() ?? null,
    source: row.source,
    externalId: row.externalId,
    createdBy: row.createdBy,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toOrder(row: OrderRow, lines: readonly OrderLineRow[]): Order {
  const sorted = [...lines].sort((a, b) => a.position - b.position);
  const invoiced = sorted.reduce((sum, l) => sum + minor(l.invoicedMinor), 0);
  return { ...toOrderSummary(row, invoiced), partyExplanation: JSON.parse(row.partyExplanation) as ExplanationStep[], lines: sorted.map(toOrderLine) };
}

/** An order of the caller's tenant with its lines, or NOT_FOUND (also for another tenant's id). */
export async function loadOrder(db: Db | Tx, tenantId: string, id: string): Promise<{ order: OrderRow; lines: OrderLineRow[] }> {
  const order = await db.order.findFirst({ where: { id, tenantId }, select: orderSelect });
  if (!order) throw CrmError.notFound('order', id);
  const lines = await db.orderLine.findMany({ where: { tenantId, orderId: id }, select: orderLineSelect, orderBy: { position: 'asc' } });
  return { order, lines };
}

/**
 * An order the caller may see (visibility follows the ordering account), with its lines;
 * NOT_FOUND otherwise, the same answer as for an unknown id.
 */
export async function loadVisibleOrder(db: Db | Tx, ctx: ServiceContext, id: string, scope: VisibilityScope): Promise<{ order: OrderRow; lines: OrderLineRow[]; orderingAccount: OwnedAccountRow }> {
  const loaded = await loadOrder(db, ctx.actor.tenantId, id);
  const orderingAccount = await loadAccountBehind(db, ctx, scope, loaded.order.orderingAccountId, 'order', id);
  return { ...loaded, orderingAccount };
}

// The same rows read on SQLite's driver (hot write paths): dates come back as ISO text, amounts as numbers.
const orderColumns = Object.keys(orderSelect).map((c) => `"${c}"`).join(', ');
const lineColumns = Object.keys(orderLineSelect).map((c) => `"${c}"`).join(', ');
export const orderByIdSql = `SELECT ${orderColumns} FROM "Order" WHERE "id" = ? AND "tenantId" = ?`;
export const orderLinesSql = `SELECT ${lineColumns} FROM "OrderLine" WHERE "tenantId" = ? AND "orderId" = ? ORDER BY "position"`;

const dateOrNull = (value: unknown) => (value === null ? null : new Date(value as string));

/** An order row as the driver reads it, in the ORM's shape. */
export function orderRowFromSqlite(r: Record<string, unknown>): OrderRow {
  return {
    ...(r as unknown as OrderRow),
    totalMinor: BigInt(r.totalMinor as number),
    openMinor: BigInt(r.openMinor as number),
    orderedAt: new Date(r.orderedAt as string),
    confirmedAt: dateOrNull(r.confirmedAt),
    cancelledAt: dateOrNull(r.cancelledAt),
    closedAt: dateOrNull(r.closedAt),
    createdAt: new Date(r.createdAt as string),
    updatedAt: new Date(r.updatedAt as string),
  };
}

/** An order line row as the driver reads it, in the ORM's shape. */
export function lineRowFromSqlite(r: Record<string, unknown>): OrderLineRow {
  return {
    ...(r as unknown as OrderLineRow),
    unitPriceMinor: BigInt(r.unitPriceMinor as number),
    amountMinor: BigInt(r.amountMinor as number),
    invoicedMinor: BigInt(r.invoicedMinor as number),
    attributedAt: dateOrNull(r.attributedAt),
  };
}
