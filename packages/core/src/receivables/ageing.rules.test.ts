import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crmErrorFrom } from '../__tests__/crm-error-from.js';
import { addDays, startOfLocalDay, startOfNextLocalDay } from '../calendar.js';
import { AGEING_BUCKETS, ageingBucket, ageReceivables, daysPastDue, type OpenInvoice } from './ageing.rules.js';

const at = (iso: string) => new Date(iso);
const MAX = Number.MAX_SAFE_INTEGER;
const SHANGHAI = 'Asia/Shanghai';

describe('daysPastDue', () => {
  it('turns an invoice due 2026-01-31 overdue at local midnight in Shanghai, not at UTC midnight', () => {
    expect(daysPastDue('2026-01-31', at('2026-01-31T15:59:59.999Z'), SHANGHAI)).toBe(0); // 23:59:59.999 on 31 Jan
    expect(daysPastDue('2026-01-31', at('2026-01-31T16:00:00.000Z'), SHANGHAI)).toBe(1); // 00:00 on 1 Feb
    expect(daysPastDue('2026-01-31', at('2026-01-31T16:00:00.000Z'), 'UTC')).toBe(0);
    expect(daysPastDue('2026-01-31', at('2026-02-01T00:00:00.000Z'), 'UTC')).toBe(1);
  });

  it('is negative before the due date and counts across month ends', () => {
    expect(daysPastDue('2026-02-10', at('2026-02-01T12:00:00Z'), 'UTC')).toBe(-9);
    expect(daysPastDue('2026-01-31', at('2026-03-02T12:00:00Z'), 'UTC')).toBe(30);
  });

  it('counts local days through a 23-hour DST day in New York', () => {
    // 2026-03-08 has 23 hours: 1 day late starts at 2026-03-08T05:00Z, 2 days late at 2026-03-09T04:00Z
    expect(daysPastDue('2026-03-07', at('2026-03-09T03:59:59.999Z'), 'America/New_York')).toBe(1);
    expect(daysPastDue('2026-03-07', at('2026-03-09T04:00:00.000Z'), 'America/New_York')).toBe(2);
  });

  it('is n from the first to the last instant of the local day n days after the due date', () => {
    const zones = ['UTC', SHANGHAI, 'America/New_York', 'Asia/Kathmandu', 'Pacific/Chatham', 'America/Sao_Paulo'];
    const dueDate = fc.integer({ min: 0, max: 40_000 }).map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10));
    fc.assert(
      fc.property(dueDate, fc.integer({ min: -200, max: 200 }), fc.constantFrom(...zones), (due, n, zone) => {
        const day = addDays(due, n);
        expect(daysPastDue(due, startOfLocalDay(day, zone), zone)).toBe(n);
        expect(daysPastDue(due, new Date(startOfNextLocalDay(day, zone).getTime() - 1), zone)).toBe(n);
      }),
    );
  });

  it('refuses a bad due date, instant or zone with VALIDATION', () => {
    expect(crmErrorFrom(() => daysPastDue('2026-02-30', at('2026-03-01T00:00:00Z'), 'UTC')).code).toBe('VALIDATION');
    expect(crmErrorFrom(() => daysPastDue('2026-02-01', new Date('nope'), 'UTC')).code).toBe('VALIDATION');
    expect(crmErrorFrom(() => daysPastDue('2026-02-01', at('2026-03-01T00:00:00Z'), 'Asia/Nowhere')).fieldErrors).toHaveProperty('timeZone');
  });
});

describe('ageingBucket', () => {
  it('puts 0 and fewer days in current and splits at 30/31, 60/61 and 90/91', () => {
    const expected: [number, string][] = [
      [-400, 'current'], [-1, 'current'], [0, 'current'], [1, '1-30'], [30, '1-30'], [31, '31-60'], [60, '31-60'],
      [61, '61-90'], [90, '61-90'], [91, 'over-90'], [10_000, 'over-90'],
    ];
    for (const [days, bucket] of expected) expect(ageingBucket(days)).toBe(bucket);
  });

  it('refuses fractional and non-finite days with VALIDATION', () => {
    for (const days of [0.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(crmErrorFrom(() => ageingBucket(days)).code).toBe('VALIDATION');
  });
});

describe('ageReceivables', () => {
  const inv = (id: string, dueDate: string, openMinor: number, currency = 'CNY'): OpenInvoice => ({ id, currency, dueDate, openMinor });

  it('moves the month-end invoice from current to 1-30 at 00:00 on 1 February in Shanghai (16:00Z)', () => {
    const invoices = [inv('inv-1', '2026-01-31', 10_000)];
    const lastSecondOfJan31 = ageReceivables(invoices, at('2026-01-31T15:59:59Z'), SHANGHAI); // 23:59:59 on 31 Jan
    expect(lastSecondOfJan31[0]!.invoices[0]).toEqual({ id: 'inv-1', dueDate: '2026-01-31', openMinor: 10_000, daysPastDue: 0, bucket: 'current' });
    expect(lastSecondOfJan31[0]!.buckets).toEqual({ current: 10_000, '1-30': 0, '31-60': 0, '61-90': 0, 'over-90': 0 });
    // 16:29:59Z is already 00:29:59 on 1 Feb in Shanghai (UTC+8), so overdue too
    expect(ageReceivables(invoices, at('2026-01-31T16:00:00Z'), SHANGHAI)[0]!.invoices[0]!.daysPastDue).toBe(1);
    expect(ageReceivables(invoices, at('2026-01-31T16:29:59Z'), SHANGHAI)[0]!.invoices[0]!.daysPastDue).toBe(1);
    // in UTC the same instants are still 31 January
    expect(ageReceivables(invoices, at('2026-01-31T16:30:00Z'), 'UTC')[0]!.invoices[0]!.bucket).toBe('current');
    const after = ageReceivables(invoices, at('2026-01-31T16:30:00Z'), SHANGHAI); // 00:30 on 1 Feb
    expect(after).toEqual([
      {
        currency: 'CNY',
        buckets: { current: 0, '1-30': 10_000, '31-60': 0, '61-90': 0, 'over-90': 0 },
        totalMinor: 10_000,
        invoices: [{ id: 'inv-1', dueDate: '2026-01-31', openMinor: 10_000, daysPastDue: 1, bucket: '1-30' }],
      },
    ]);
  });

  it('puts invoices 30/31, 60/61 and 90/91 days past due in the right buckets', () => {
    const asOf = at('2026-06-30T12:00:00Z'); // 2026-06-30 in UTC
    const invoices = [0, 1, 30, 31, 60, 61, 90, 91].map((days) => inv(`d${String(days).padStart(2, '0')}`, addDays('2026-06-30', -days), days + 1));
    const [cny] = ageReceivables(invoices, asOf, 'UTC');
    expect(cny!.invoices.map((i) => [i.daysPastDue, i.bucket])).toEqual([
      [91, 'over-90'], [90, '61-90'], [61, '61-90'], [60, '31-60'], [31, '31-60'], [30, '1-30'], [1, '1-30'], [0, 'current'],
    ]);
    expect(cny!.buckets).toEqual({ current: 1, '1-30': 2 + 31, '31-60': 32 + 61, '61-90': 62 + 91, 'over-90': 92 });
    expect(cny!.totalMinor).toBe(1 + 2 + 31 + 32 + 61 + 62 + 91 + 92);
  });

  it('groups by currency sorted by code, and sorts invoices by due date then id', () => {
    const result = ageReceivables(
      [inv('b', '2026-01-10', 100, 'USD'), inv('z', '2026-01-01', 5), inv('a', '2026-01-10', 7, 'USD'), inv('y', '2026-01-01', 6), inv('x', '2026-03-01', 1, 'JPY')],
      at('2026-02-15T00:00:00Z'),
      'UTC',
    );
    expect(result.map((r) => r.currency)).toEqual(['CNY', 'JPY', 'USD']);
    expect(result[0]!.invoices.map((i) => i.id)).toEqual(['y', 'z']);
    expect(result[2]!.invoices.map((i) => i.id)).toEqual(['a', 'b']);
    expect(result[1]!.buckets.current).toBe(1);
  });

  it('ages a credit note (negative open amount) by its own due date', () => {
    const [cny] = ageReceivables([inv('inv-1', '2026-01-01', 50_000), inv('cn-1', '2026-02-10', -20_000)], at('2026-02-15T00:00:00Z'), 'UTC');
    expect(cny!.buckets).toEqual({ current: 0, '1-30': -20_000, '31-60': 50_000, '61-90': 0, 'over-90': 0 });
    expect(cny!.totalMinor).toBe(30_000);
  });

  it('returns nothing for no invoices, but still refuses a bad zone', () => {
    expect(ageReceivables([], at('2026-02-15T00:00:00Z'), 'UTC')).toEqual([]);
    expect(crmErrorFrom(() => ageReceivables([], at('2026-02-15T00:00:00Z'), 'Nowhere')).fieldErrors).toHaveProperty('timeZone');
  });

  it('refuses a sum beyond the safe integer range with VALIDATION naming the currency, whatever the input order', () => {
    const asOf = at('2026-02-15T00:00:00Z');
    const err = crmErrorFrom(() => ageReceivables([inv('a', '2026-02-01', MAX, 'USD'), inv('b', '2026-02-02', 1, 'USD')], asOf, 'UTC'));
    expect(err.code).toBe('VALIDATION');
    expect(err.details).toEqual({ currency: 'USD' });
    // the bucket sums fit but the total does not
    expect(crmErrorFrom(() => ageReceivables([inv('a', '2026-02-01', MAX), inv('b', '2026-02-20', MAX)], asOf, 'UTC')).code).toBe('VALIDATION');
    // a running sum would pass MAX on the way; the final sums fit, so no error
    const [cny] = ageReceivables([inv('a', '2026-02-01', MAX), inv('b', '2026-02-01', MAX), inv('c', '2026-02-01', -MAX)], asOf, 'UTC');
    expect(cny!.totalMinor).toBe(MAX);
  });

  it('refuses an invalid invoice with VALIDATION on its fields', () => {
    const asOf = at('2026-02-15T00:00:00Z');
    const err = crmErrorFrom(() => ageReceivables([inv('a', '2026-02-01', 1), { id: 'b', currency: 'usd', dueDate: '2026-02-30', openMinor: 1.5 }], asOf, 'UTC'));
    expect(err.code).toBe('VALIDATION');
    expect(Object.keys(err.fieldErrors ?? {}).sort()).toEqual(['invoices.1.currency', 'invoices.1.dueDate', 'invoices.1.openMinor']);
  });

  it('makes the bucket sums add up to the total, and the total to the open amounts, per currency', () => {
    const invoice = fc.record({
      id: fc.string({ maxLength: 4 }),
      currency: fc.constantFrom('CNY', 'USD', 'JPY'),
      dueDate: fc.integer({ min: -200, max: 30 }).map((d) => addDays('2026-02-15', d)),
      openMinor: fc.oneof(fc.integer({ min: -1_000_000, max: 10_000_000 }), fc.integer({ min: -(2 ** 40), max: 2 ** 40 })),
    });
    fc.assert(
      fc.property(fc.array(invoice, { maxLength: 40 }), fc.constantFrom('UTC', SHANGHAI, 'America/New_York'), (invoices, zone) => {
        const asOf = at('2026-02-15T10:00:00Z');
        const result = ageReceivables(invoices, asOf, zone);
        expect(result.map((r) => r.currency)).toEqual([...new Set(invoices.map((i) => i.currency))].sort());
        for (const { currency, buckets, totalMinor, invoices: aged } of result) {
          const mine = invoices.filter((i) => i.currency === currency);
          expect(Object.keys(buckets)).toEqual([...AGEING_BUCKETS]);
          expect(AGEING_BUCKETS.reduce((sum, b) => sum + buckets[b], 0)).toBe(totalMinor);
          expect(mine.reduce((sum, i) => sum + i.openMinor, 0)).toBe(totalMinor);
          expect(aged).toHaveLength(mine.length);
          for (const b of AGEING_BUCKETS) expect(aged.filter((i) => i.bucket === b).reduce((s, i) => s + i.openMinor, 0)).toBe(buckets[b]);
          for (const i of aged) {
            expect(Number.isSafeInteger(buckets[i.bucket])).toBe(true);
            expect(i.daysPastDue).toBe(daysPastDue(i.dueDate, asOf, zone));
            expect(i.bucket).toBe(ageingBucket(i.daysPastDue));
          }
          for (let k = 1; k < aged.length; k++) {
            const [p, q] = [aged[k - 1]!, aged[k]!];
            expect(p.dueDate < q.dueDate || (p.dueDate === q.dueDate && p.id <= q.id)).toBe(true);
          }
        }
      }),
    );
  });
});
