import {
  decodeCursor, encodeCursor, listExchangeRatesInputSchema, newId, setExchangeRateInputSchema,
  type ExchangeRateRecord, type ListExchangeRatesInput, type Page, type SetExchangeRateInput,
} from '@crmkit/core';
import { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { inTransaction, recordChange } from '../audit/record.js';

// The tenant's effective-dated exchange rates (`fx.setRate`, `fx.listRates`): exact decimal strings,
// read by credit checks as of the check's instant (docs/concepts/credit.md).

type RateRow = { id: string; base: string; quote: string; rate: string; validFrom: Date; setBy: string; setAt: Date };
const toRate = (r: RateRow): ExchangeRateRecord => ({ id: r.id, base: r.base, quote: r.quote, rate: r.rate, validFrom: r.validFrom.toISOString(), setBy: r.setBy, setAt: r.setAt.toISOString() });

/**
 * `fx.setRate` (credit:manage): from `validFrom` (default now) one `base` is worth `rate` of
 * `quote`, until the pair's next rate. The same pair and instant again replaces the rate (audited
 * with the old one).
 */
export async function setExchangeRate(ctx: ServiceContext, input: SetExchangeRateInput): Promise<ExchangeRateRecord> {
  authorize(ctx.actor, 'credit:manage');
  const q = setExchangeRateInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const now = ctx.clock.now();
  const validFrom = q.validFrom ? new Date(q.validFrom) : now;
  return inTransaction(ctx, async (tx) => {
    const where = { tenantId_base_quote_validFrom: { tenantId, base: q.base, quote: q.quote, validFrom } };
    const current = (await tx.exchangeRate.findUnique({ where })) as RateRow | null;
    const row = (current
      ? await tx.exchangeRate.update({ where, data: { rate: q.rate, setBy: ctx.actor.id, setAt: now } })
      : await tx.exchangeRate.create({ data: { id: newId('fxr', ctx.clock), tenantId, base: q.base, quote: q.quote, rate: q.rate, validFrom, setBy: ctx.actor.id, setAt: now } })) as RateRow;
    await recordChange(tx, ctx, { action: 'fx.rate_set', entityType: 'exchangeRate', entityId: row.id, before: current ? toRate(current) : null, after: toRate(row) });
    return toRate(row);
  });
}

const cursorShape = z.object({ id: z.string() });

/** `fx.listRates` (credit:read): the tenant's rates, newest first by id, optionally of one pair (either direction). */
export async function listExchangeRates(ctx: ServiceContext, input: ListExchangeRatesInput): Promise<Page<ExchangeRateRecord>> {
  authorize(ctx.actor, 'credit:read');
  const q = listExchangeRatesInputSchema.parse(input ?? {});
  const after = q.cursor ? decodeCursor(q.cursor, cursorShape) : null;
  const pair =
    q.base && q.quote
      ? { OR: [{ base: q.base, quote: q.quote }, { base: q.quote, quote: q.base }] }
      : q.base || q.quote
        ? { OR: [{ base: (q.base ?? q.quote)! }, { quote: (q.base ?? q.quote)! }] }
        : {};
  const rows = (await ctx.db.exchangeRate.findMany({
    where: { tenantId: ctx.actor.tenantId, ...(after ? { id: { lt: after.id } } : {}), ...pair },
    orderBy: { id: 'desc' },
    take: q.limit + 1,
  })) as RateRow[];
  const page = rows.slice(0, q.limit);
  return { items: page.map(toRate), nextCursor: rows.length > q.limit ? encodeCursor({ id: page[page.length - 1]!.id }) : null };
}
