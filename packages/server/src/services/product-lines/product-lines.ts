import { createProductLineInputSchema, CrmError, decodeCursor, encodeCursor, listProductLinesInputSchema, newId, type Page, type ProductLine } from '@crmkit/core';
import { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import type { Db, Tx } from '../../db/client.js';
import { inTransaction, recordChange } from '../audit/record.js';

export interface ProductLineRow {
  id: string;
  code: string;
  name: string;
  createdAt: Date;
  archivedAt: Date | null;
}

export function toProductLine(row: ProductLineRow): ProductLine {
  return { id: row.id, code: row.code, name: row.name, createdAt: row.createdAt.toISOString(), archivedAt: row.archivedAt?.toISOString() ?? null };
}

/** A product line of the tenant, or NOT_FOUND (also for another tenant's id). */
export async function loadProductLine(db: Db | Tx, tenantId: string, id: string): Promise<ProductLineRow> {
  const row = await db.productLine.findFirst({ where: { id, tenantId }, select: { id: true, code: true, name: true, createdAt: true, archivedAt: true } });
  if (!row) throw CrmError.notFound('product line', id);
  return row;
}

/** Creates a product line; its code is unique in the tenant (CONFLICT otherwise). */
export async function createProductLine(ctx: ServiceContext, input: z.input<typeof createProductLineInputSchema>): Promise<ProductLine> {
  authorize(ctx.actor, 'teams:manage');
  const data = createProductLineInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  return inTransaction(ctx, async (tx) => {
    const clash = await tx.productLine.findFirst({ where: { tenantId, code: data.code }, select: { id: true } });
    if (clash) throw new CrmError('CONFLICT', `product line code ${data.code} is taken by ${clash.id}`, { fieldErrors: { code: ['already taken'] }, details: { productLineId: clash.id } });
    const row = await tx.productLine.create({ data: { id: newId('pl', ctx.clock), tenantId, code: data.code, name: data.name, createdAt: ctx.clock.now(), archivedAt: null } });
    const productLine = toProductLine(row);
    await recordChange(tx, ctx, { action: 'productLine.created', entityType: 'productLine', entityId: row.id, before: null, after: productLine });
    return productLine;
  });
}

const cursorShape = z.object({ id: z.string() });

/** The tenant's product lines, oldest first. */
export async function listProductLines(ctx: ServiceContext, input: z.input<typeof listProductLinesInputSchema>): Promise<Page<ProductLine>> {
  authorize(ctx.actor, 'teams:read');
  const { limit, cursor } = listProductLinesInputSchema.parse(input);
  const after = cursor ? decodeCursor(cursor, cursorShape).id : undefined;
  const rows = await ctx.db.productLine.findMany({ where: { tenantId: ctx.actor.tenantId, ...(after ? { id: { gt: after } } : {}) }, orderBy: { id: 'asc' }, take: limit + 1 });
  const page = rows.slice(0, limit).map(toProductLine);
  return { items: page, nextCursor: rows.length > limit ? encodeCursor({ id: page[page.length - 1]!.id }) : null };
}
