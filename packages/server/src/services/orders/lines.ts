import { CrmError, lineAmount, type OrderLineInput } from '@crmkit/core';
import type { ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';

/** A line's stored columns from its input (the amount computed exactly). */
export function lineColumns(input: OrderLineInput, path: string) {
  return {
    productLineId: input.productLineId ?? null,
    sku: input.sku ?? null,
    description: input.description,
    quantity: input.quantity,
    unitPriceMinor: input.unitPriceMinor,
    amountMinor: lineAmount(input.quantity, input.unitPriceMinor, path),
  };
}

/** VALIDATION on `lines.<i>.productLineId` for a product line that is not an active one of the tenant. */
export async function assertProductLines(tx: Tx, ctx: ServiceContext, lines: readonly { productLineId?: string | undefined }[]): Promise<void> {
  const ids = [...new Set(lines.flatMap((l) => (l.productLineId ? [l.productLineId] : [])))];
  if (ids.length === 0) return;
  const found = await tx.productLine.findMany({ where: { tenantId: ctx.actor.tenantId, id: { in: ids }, archivedAt: null }, select: { id: true } });
  const known = new Set(found.map((p) => p.id));
  const i = lines.findIndex((l) => l.productLineId && !known.has(l.productLineId));
  if (i >= 0) throw CrmError.validation(`lines.${i}.productLineId`, `product line ${lines[i]!.productLineId} is not an active product line of this tenant`);
}
