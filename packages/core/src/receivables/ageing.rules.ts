import { z } from 'zod';
import { daysBetween, localDateOf, localDateSchema, type LocalDate } from '../calendar.js';
import { CrmError } from '../errors.js';
import { currencyCodeSchema, minorUnitsSchema, type CurrencyCode } from '../money.js';

/** Ageing buckets, youngest first: not yet due, then days past due. */
export const AGEING_BUCKETS = ['current', '1-30', '31-60', '61-90', 'over-90'] as const;
export type AgeingBucket = (typeof AGEING_BUCKETS)[number];

/**
 * An invoice's open (unpaid) amount. A credit note is an entry with a negative `openMinor`: it ages
 * like an invoice, by its own due date, so it reduces the bucket it falls in rather than the oldest.
 */
export const openInvoiceSchema = z.object({
  id: z.string(),
  currency: currencyCodeSchema,
  dueDate: localDateSchema,
  openMinor: minorUnitsSchema,
});
export type OpenInvoice = z.infer<typeof openInvoiceSchema>;

export interface AgedInvoice {
  id: string;
  dueDate: LocalDate;
  openMinor: number;
  daysPastDue: number;
  bucket: AgeingBucket;
}

/** The ageing of one currency's open invoices; amounts never mix currencies. */
export interface CurrencyAgeing {
  currency: CurrencyCode;
  /** Sum of `openMinor` per bucket, every bucket present (0 when empty). */
  buckets: Record<AgeingBucket, number>;
  totalMinor: number;
  /** By due date, then id. */
  invoices: AgedInvoice[];
}

/**
 * Local calendar days from the due date to the tenant's local date at `asOf`; 0 or less is not yet
 * overdue. The due date is the last day to pay, so the debt is 1 day late from local midnight after it.
 *
 * @example daysPastDue('2026-01-31', new Date('2026-01-31T16:30:00Z'), 'Asia/Shanghai') // 1 (00:30 on 1 Feb there)
 */
export function daysPastDue(dueDate: LocalDate, asOf: Date, timeZone: string): number {
  return daysBetween(dueDate, localDateOf(asOf, timeZone));
}

/**
 * The bucket of a number of days past due: ≤ 0 current, then 1–30, 31–60, 61–90 and over 90.
 *
 * @example ageingBucket(31) // '31-60'
 */
export function ageingBucket(daysPastDue: number): AgeingBucket {
  if (!Number.isSafeInteger(daysPastDue)) throw CrmError.validation('daysPastDue', 'expected a whole number of days');
  if (daysPastDue <= 0) return 'current';
  if (daysPastDue <= 30) return '1-30';
  if (daysPastDue <= 60) return '31-60';
  if (daysPastDue <= 90) return '61-90';
  return 'over-90';
}

/** A sum as a safe integer, like money.ts: VALIDATION when it is not one. Summed as BigInt, so input order cannot matter. */
function checked(sum: bigint, currency: string): number {
  const value = Number(sum);
  if (!Number.isSafeInteger(value)) throw new CrmError('VALIDATION', 'amount exceeds the safe integer range', { details: { currency } });
  return value;
}

/**
 * Ages open invoices as of an instant, by the tenant's local calendar: one entry per currency,
 * sorted by currency code, with integer sums per bucket and in total.
 *
 * @example
 * ageReceivables([{ id: 'inv-1', currency: 'CNY', dueDate: '2026-01-31', openMinor: 10_000 }], new Date('2026-01-31T16:30:00Z'), 'Asia/Shanghai')
 * // [{ currency: 'CNY', buckets: { current: 0, '1-30': 10000, … }, totalMinor: 10000, invoices: [{ …, daysPastDue: 1, bucket: '1-30' }] }]
 */
export function ageReceivables(invoices: readonly OpenInvoice[], asOf: Date, timeZone: string): CurrencyAgeing[] {
  const today = localDateOf(asOf, timeZone);
  const byCurrency = new Map<string, { sums: Record<AgeingBucket, bigint>; invoices: AgedInvoice[] }>();
  invoices.forEach((input, i) => {
    const parsed = openInvoiceSchema.safeParse(input);
    if (!parsed.success) {
      const fieldErrors: Record<string, string[]> = {};
      for (const issue of parsed.error.issues) (fieldErrors[['invoices', i, ...issue.path].join('.')] ??= []).push(issue.message);
      throw new CrmError('VALIDATION', 'invalid open invoice', { fieldErrors });
    }
    const { id, currency, dueDate, openMinor } = parsed.data;
    let group = byCurrency.get(currency);
    if (!group) byCurrency.set(currency, (group = { sums: { current: 0n, '1-30': 0n, '31-60': 0n, '61-90': 0n, 'over-90': 0n }, invoices: [] }));
    const days = daysBetween(dueDate, today);
    const bucket = ageingBucket(days);
    group.sums[bucket] += BigInt(openMinor);
    group.invoices.push({ id, dueDate, openMinor, daysPastDue: days, bucket });
  });
  return [...byCurrency.keys()].sort().map((currency) => {
    const { sums, invoices: aged } = byCurrency.get(currency)!;
    const buckets = Object.fromEntries(AGEING_BUCKETS.map((b) => [b, checked(sums[b], currency)])) as Record<AgeingBucket, number>;
    const totalMinor = checked(AGEING_BUCKETS.reduce((sum, b) => sum + sums[b], 0n), currency);
    aged.sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { currency, buckets, totalMinor, invoices: aged };
  });
}
