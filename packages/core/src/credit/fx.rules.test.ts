import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crmErrorFrom } from '../__tests__/crm-error-from.js';
import { convertMinor, exchangeRateSchema, invertRate, parseRate, rateFor, safeMinor, type ExchangeRateFact } from './fx.rules.js';

const d = (iso: string) => new Date(iso);

describe('exchangeRateSchema', () => {
  it('accepts plain positive decimals with up to 12 digits after the point', () => {
    for (const s of ['7.1234', '1', '0.5', '150.5', '0.000000000001', '123456789012.123456789012']) expect(exchangeRateSchema.safeParse(s).success).toBe(true);
  });

  it('refuses zero, signs, exponents, floats with 13 decimals, leading zeros and stray text', () => {
    for (const s of ['0', '0.0', '0.000000000000', '-1', '+1', '1e3', '7.1234567890123', '07.1', '.5', '7.', ' 7.1', '7,1', 'abc', '', '1234567890123']) {
      expect(exchangeRateSchema.safeParse(s).success, s).toBe(false);
    }
  });
});

describe('parseRate and invertRate', () => {
  it('reads a decimal as an exact fraction in lowest terms', () => {
    expect(parseRate('7.1250')).toEqual({ numerator: 57n, denominator: 8n });
    expect(parseRate('7.1234')).toEqual({ numerator: 35617n, denominator: 5000n });
    expect(parseRate('150')).toEqual({ numerator: 150n, denominator: 1n });
  });

  it('inverts exactly, even where the decimal would not terminate', () => {
    expect(invertRate(parseRate('7.1234'))).toEqual({ numerator: 5000n, denominator: 35617n });
    expect(invertRate(invertRate(parseRate('0.1379')))).toEqual(parseRate('0.1379'));
  });

  it('refuses a malformed rate with VALIDATION on the rate field', () => {
    const e = crmErrorFrom(() => parseRate('7.1e2'));
    expect(e.code).toBe('VALIDATION');
    expect(Object.keys(e.fieldErrors ?? {})).toEqual(['rate']);
    expect(crmErrorFrom(() => invertRate({ numerator: 0n, denominator: 1n })).code).toBe('VALIDATION');
  });
});

describe('convertMinor', () => {
  it('converts USD cents to CNY fen exactly: USD 100.00 at 7.1234 = CNY 712.34', () => {
    expect(convertMinor(100_00, 'USD', 'CNY', '7.1234')).toBe(712_34);
  });

  it('uses each currency’s minor-unit exponent (JPY 0, KWD 3)', () => {
    expect(convertMinor(1_000, 'JPY', 'CNY', '0.0478')).toBe(47_80); // ¥1000 → CNY 47.80
    expect(convertMinor(1_000, 'KWD', 'USD', '3.25')).toBe(3_25); // KWD 1.000 → USD 3.25
    expect(convertMinor(3_25, 'USD', 'KWD', invertRate(parseRate('3.25')))).toBe(1_000);
    expect(convertMinor(100, 'CNY', 'JPY', '20.9205')).toBe(21); // CNY 1.00 → ¥20.9205, rounded up
  });

  it('rounds up: USD 0.01 at 150.5 is ¥1.505, counted as ¥2', () => {
    expect(convertMinor(1, 'USD', 'JPY', '150.5')).toBe(2);
  });

  it('rounds a negative amount toward +infinity too: −USD 0.01 at 150.5 is −¥1.505, counted as −¥1', () => {
    expect(convertMinor(-1, 'USD', 'JPY', '150.5')).toBe(-1);
    expect(convertMinor(-100_00, 'USD', 'CNY', '7.1234')).toBe(-712_34);
    expect(Object.is(convertMinor(-1, 'USD', 'JPY', '0.5'), 0)).toBe(true); // −0.005 yen → 0, never −0
  });

  it('converts through an exact inverse: USD 1000.00 at 1 / 0.1379 is CNY 7251.6316…, counted as CNY 7251.64', () => {
    expect(convertMinor(1_000_00, 'USD', 'CNY', invertRate(parseRate('0.1379')))).toBe(7_251_64);
  });

  it('is the identity within one currency and needs no rate there', () => {
    expect(convertMinor(12_345, 'CNY', 'CNY')).toBe(12_345);
    expect(convertMinor(-5, 'JPY', 'JPY', null)).toBe(-5);
  });

  it('refuses with VALIDATION: no rate across currencies, an unsafe amount, a bad currency, a result beyond the safe range', () => {
    expect(crmErrorFrom(() => convertMinor(1, 'USD', 'CNY')).code).toBe('VALIDATION');
    expect(crmErrorFrom(() => convertMinor(0.5, 'USD', 'CNY', '7')).code).toBe('VALIDATION');
    expect(crmErrorFrom(() => convertMinor(1, 'usd', 'CNY', '7')).code).toBe('VALIDATION');
    const e = crmErrorFrom(() => convertMinor(Number.MAX_SAFE_INTEGER, 'USD', 'JPY', '150'));
    expect(e.code).toBe('VALIDATION');
    expect(e.message).toContain('safe integer range');
    expect(convertMinor(Number.MAX_SAFE_INTEGER, 'JPY', 'USD', '0.01')).toBe(Number.MAX_SAFE_INTEGER); // ¥ × 0.01 × 100 cents: the same count
  });

  const rate = fc.tuple(fc.bigInt({ min: 1n, max: 10n ** 24n }), fc.integer({ min: 0, max: 12 })).map(([digits, scale]) => {
    const s = digits.toString().padStart(scale + 1, '0');
    const whole = s.slice(0, s.length - scale).replace(/^0+(?=\d)/, '');
    return scale === 0 ? whole : `${whole}.${s.slice(s.length - scale)}`;
  }).filter((s) => exchangeRateSchema.safeParse(s).success);
  const currency = fc.constantFrom('CNY', 'USD', 'JPY', 'KWD', 'EUR');
  const amount = fc.integer({ min: -1_000_000_000, max: 1_000_000_000 });
  /** ISO 4217 minor-unit exponents, written out independently of money.ts. */
  const EXPONENTS: Record<string, bigint> = { CNY: 2n, USD: 2n, EUR: 2n, JPY: 0n, KWD: 3n };

  it('property: the result is the exact rational value rounded up (never below it, less than one minor unit above)', () => {
    fc.assert(
      fc.property(amount, currency, currency, rate, (a, from, to, r) => {
        fc.pre(from !== to);
        const { numerator, denominator } = parseRate(r);
        const expFrom = EXPONENTS[from]!;
        const expTo = EXPONENTS[to]!;
        const exactNum = BigInt(a) * numerator * 10n ** expTo; // exact value = exactNum / exactDen
        const exactDen = denominator * 10n ** expFrom;
        let got: number;
        try {
          got = convertMinor(a, from, to, r);
        } catch (e) {
          expect(crmErrorFrom(() => { throw e; }).code).toBe('VALIDATION');
          return;
        }
        expect(BigInt(got) * exactDen >= exactNum).toBe(true);
        expect((BigInt(got) - 1n) * exactDen < exactNum).toBe(true);
      }),
    );
  });

  it('property: converting is monotone in the amount', () => {
    fc.assert(
      fc.property(amount, amount, currency, currency, fc.constantFrom('7.1234', '0.1379', '150.5', '0.000000000001', '3.25'), (a, b, from, to, r) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(convertMinor(lo, from, to, r)).toBeLessThanOrEqual(convertMinor(hi, from, to, r));
      }),
    );
  });

  it('property: a rate string and its parsed Rate convert alike', () => {
    fc.assert(fc.property(amount, rate, (a, r) => {
      try {
        expect(convertMinor(a, 'USD', 'CNY', parseRate(r))).toBe(convertMinor(a, 'USD', 'CNY', r));
      } catch {
        expect(crmErrorFrom(() => convertMinor(a, 'USD', 'CNY', r)).code).toBe('VALIDATION');
      }
    }));
  });
});

describe('rateFor', () => {
  const rates: ExchangeRateFact[] = [
    { base: 'USD', quote: 'CNY', rate: '7.1000', validFrom: d('2026-01-01T00:00:00Z') },
    { base: 'USD', quote: 'CNY', rate: '7.2500', validFrom: d('2026-03-01T00:00:00Z') },
    { base: 'USD', quote: 'CNY', rate: '7.5000', validFrom: d('2026-04-01T00:00:00Z') },
    { base: 'CNY', quote: 'JPY', rate: '20.9205', validFrom: d('2026-01-01T00:00:00Z') },
  ];

  it('takes the latest rate with validFrom at or before the instant, ignoring older and future ones', () => {
    expect(rateFor(rates, 'USD', 'CNY', d('2026-03-15T00:00:00Z'))).toEqual({ numerator: 29n, denominator: 4n, from: 'USD', to: 'CNY', quoted: '7.2500', inverse: false, validFrom: d('2026-03-01T00:00:00Z') });
    expect(rateFor(rates, 'USD', 'CNY', d('2026-02-28T23:59:59.999Z'))?.quoted).toBe('7.1000');
    expect(rateFor(rates, 'USD', 'CNY', d('2026-03-01T00:00:00Z'))?.quoted).toBe('7.2500'); // in force from its first instant
    expect(rateFor(rates, 'USD', 'CNY', d('2026-04-02T00:00:00Z'))?.quoted).toBe('7.5000');
  });

  it('inverts the opposite pair exactly when only that exists', () => {
    const r = rateFor(rates, 'JPY', 'CNY', d('2026-02-01T00:00:00Z'));
    expect(r).toMatchObject({ numerator: 2_000n, denominator: 41_841n, inverse: true, quoted: '20.9205' }); // 10000 / 209205 in lowest terms
    expect(convertMinor(20_921, 'JPY', 'CNY', r)).toBe(1_000_03); // ¥20921 → CNY 1000.0239…, rounded up
  });

  it('prefers a stored rate of the pair over the inverse of the opposite one', () => {
    const both = [...rates, { base: 'CNY', quote: 'USD', rate: '0.1', validFrom: d('2026-03-10T00:00:00Z') }];
    expect(rateFor(both, 'USD', 'CNY', d('2026-03-15T00:00:00Z'))).toMatchObject({ quoted: '7.2500', inverse: false });
    expect(rateFor(both, 'CNY', 'USD', d('2026-03-15T00:00:00Z'))).toMatchObject({ quoted: '0.1', inverse: false });
  });

  it('lets the later entry win between two rates of a pair with the same validFrom', () => {
    const dup = [...rates, { base: 'USD', quote: 'CNY', rate: '7.2600', validFrom: d('2026-03-01T00:00:00Z') }];
    expect(rateFor(dup, 'USD', 'CNY', d('2026-03-15T00:00:00Z'))?.quoted).toBe('7.2600');
  });

  it('is null when no rate is in force (none of the pair, or only future ones)', () => {
    expect(rateFor(rates, 'USD', 'EUR', d('2026-03-15T00:00:00Z'))).toBeNull();
    expect(rateFor(rates, 'USD', 'CNY', d('2025-12-31T23:59:59.999Z'))).toBeNull();
    expect(rateFor([], 'USD', 'CNY', d('2026-03-15T00:00:00Z'))).toBeNull();
  });

  it('is the identity for a currency with itself, with no stored rate', () => {
    expect(rateFor([], 'CNY', 'CNY', d('2026-03-15T00:00:00Z'))).toEqual({ numerator: 1n, denominator: 1n, from: 'CNY', to: 'CNY', quoted: '1', inverse: false, validFrom: null });
  });

  it('refuses a malformed stored rate or instant with VALIDATION rather than guessing', () => {
    expect(crmErrorFrom(() => rateFor([{ base: 'USD', quote: 'CNY', rate: '7.1e0', validFrom: d('2026-01-01T00:00:00Z') }], 'USD', 'CNY', d('2026-02-01T00:00:00Z'))).code).toBe('VALIDATION');
    expect(crmErrorFrom(() => rateFor(rates, 'USD', 'CNY', new Date(Number.NaN))).code).toBe('VALIDATION');
  });
});

describe('safeMinor', () => {
  it('passes safe integers and refuses anything beyond with VALIDATION', () => {
    expect(safeMinor(-BigInt(Number.MAX_SAFE_INTEGER), 'x')).toBe(-Number.MAX_SAFE_INTEGER);
    expect(crmErrorFrom(() => safeMinor(BigInt(Number.MAX_SAFE_INTEGER) + 1n, 'x')).code).toBe('VALIDATION');
  });
});
