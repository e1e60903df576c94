import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crmErrorFrom } from './__tests__/crm-error-from.js';
import {
  addMoney,
  allocateByBasisPoints,
  formatMoney,
  FULL_SHARE_BPS,
  minorUnitExponent,
  money,
  parseMoney,
  subtractMoney,
  type CurrencyCode,
} from './money.js';


const MAX = Number.MAX_SAFE_INTEGER;
const safeAmount = fc.oneof(fc.integer({ min: -MAX, max: MAX }), fc.integer({ min: -100_000, max: 100_000 }), fc.constant(0));

/** Share vectors of 1..10 shares (zeros allowed) that sum to exactly 10000. */
const sharesSummingToFull = fc
  .array(fc.integer({ min: 0, max: FULL_SHARE_BPS }), { maxLength: 9 })
  .map((cuts) => {
    const points = [0, ...cuts.sort((a, b) => a - b), FULL_SHARE_BPS];
    return points.slice(1).map((p, i) => p - points[i]!);
  });

describe('allocateByBasisPoints', () => {
  it('splits 100 by [3333, 3333, 3334] into [33, 33, 34]', () => {
    expect(allocateByBasisPoints(100, [3333, 3333, 3334])).toEqual([33, 33, 34]);
  });

  it('gives the leftover unit of an even split to the earlier share', () => {
    expect(allocateByBasisPoints(1, [5000, 5000])).toEqual([1, 0]);
    expect(allocateByBasisPoints(-1, [5000, 5000])).toEqual([-1, 0]);
    expect(allocateByBasisPoints(2, [3333, 3333, 3334])).toEqual([1, 0, 1]);
  });

  it('gives leftover units to the largest remainders first', () => {
    // exact shares 0.7, 0.2, 0.1 of 1 unit: only the 0.7 share rounds up
    expect(allocateByBasisPoints(1, [7000, 2000, 1000])).toEqual([1, 0, 0]);
    expect(allocateByBasisPoints(1, [1000, 2000, 7000])).toEqual([0, 0, 1]);
    // 10 by [1500, 2500, 6000] = 1.5, 2.5, 6 → the two .5 remainders tie; the one unit left goes to the earlier
    expect(allocateByBasisPoints(10, [1500, 2500, 6000])).toEqual([2, 2, 6]);
  });

  it('splits zero into zeros', () => {
    expect(allocateByBasisPoints(0, [2500, 7500])).toEqual([0, 0]);
  });

  it('gives the whole amount to a single full share', () => {
    expect(allocateByBasisPoints(MAX, [10_000])).toEqual([MAX]);
    expect(allocateByBasisPoints(-MAX, [0, 10_000, 0])).toEqual([0, -MAX, 0]);
  });

  it('refuses shares that do not sum to 10000 with VALIDATION', () => {
    for (const shares of [[5000, 4999], [5000, 5001], [], [10_000, 1]]) {
      const err = crmErrorFrom(() => allocateByBasisPoints(100, shares));
      expect(err.code).toBe('VALIDATION');
      expect(err.details).toEqual({ sharesBps: shares });
    }
  });

  it('makes parts that sum exactly to the amount, for any safe amount and any shares summing to 10000', () => {
    fc.assert(
      fc.property(safeAmount, sharesSummingToFull, (amount, shares) => {
        const parts = allocateByBasisPoints(amount, shares);
        expect(parts).toHaveLength(shares.length);
        expect(parts.every(Number.isSafeInteger)).toBe(true);
        expect(parts.reduce((a, b) => BigInt(a) + BigInt(b), 0n)).toBe(BigInt(amount));
      }),
    );
  });

  it('keeps every part within 1 unit of its exact proportional share', () => {
    fc.assert(
      fc.property(safeAmount, sharesSummingToFull, (amount, shares) => {
        const parts = allocateByBasisPoints(amount, shares);
        parts.forEach((part, i) => {
          // |part - amount * share / 10000| < 1, in integers
          const diff = BigInt(part) * 10_000n - BigInt(amount) * BigInt(shares[i]!);
          expect(diff < 10_000n && diff > -10_000n).toBe(true);
        });
      }),
    );
  });

  it('returns the same parts for the same input', () => {
    fc.assert(
      fc.property(safeAmount, sharesSummingToFull, (amount, shares) => {
        const copy = shares.slice();
        expect(allocateByBasisPoints(amount, shares)).toEqual(allocateByBasisPoints(amount, copy));
        expect(shares).toEqual(copy); // the input is not reordered
      }),
    );
  });

  it('gives an earlier share at least as much as a later equal share (ties go to earlier shares)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 5 }), (amount, equalCount, extra) => {
        // equalCount equal shares, then one share holding the rest
        const each = Math.floor(FULL_SHARE_BPS / (equalCount + extra + 1));
        const shares = [...Array<number>(equalCount).fill(each), FULL_SHARE_BPS - each * equalCount];
        const parts = allocateByBasisPoints(amount, shares).slice(0, equalCount);
        const floor = Math.floor((amount * each) / FULL_SHARE_BPS);
        // the equal shares get floor or floor + 1, and the +1s come first
        const sortedDesc = parts.slice().sort((a, b) => b - a);
        expect(parts).toEqual(sortedDesc);
        expect(parts.every((p) => p === floor || p === floor + 1)).toBe(true);
      }),
    );
  });

  it('rounds up only shares whose remainder is at least that of every share rounded down (largest remainder)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX }), sharesSummingToFull, (amount, shares) => {
        const parts = allocateByBasisPoints(amount, shares);
        const rem = shares.map((s) => (BigInt(amount) * BigInt(s)) % 10_000n);
        const up = parts.map((p, i) => BigInt(p) * 10_000n > BigInt(amount) * BigInt(shares[i]!));
        for (let i = 0; i < shares.length; i++) {
          for (let j = 0; j < shares.length; j++) {
            if (up[i] && !up[j]) {
              // i got the extra unit and j did not: i's remainder is larger, or equal with i earlier
              expect(rem[i]! > rem[j]! || (rem[i] === rem[j] && i < j)).toBe(true);
            }
          }
        }
      }),
    );
  });

  it('splits a negative amount as the mirror image of the positive one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX }), sharesSummingToFull, (amount, shares) => {
        const positive = allocateByBasisPoints(amount, shares);
        expect(allocateByBasisPoints(-amount, shares)).toEqual(positive.map((p) => 0 - p));
      }),
    );
  });
});

describe('parseMoney and formatMoney', () => {
  it('uses 2 decimals by default, 0 for JPY and 3 for KWD', () => {
    expect(minorUnitExponent('CNY')).toBe(2);
    expect(minorUnitExponent('USD')).toBe(2);
    expect(minorUnitExponent('JPY')).toBe(0);
    expect(minorUnitExponent('KWD')).toBe(3);
  });

  it('parses decimal text into integer minor units', () => {
    expect(parseMoney('1234.5', 'CNY')).toEqual({ amountMinor: 123450, currency: 'CNY' });
    expect(parseMoney('0.01', 'CNY')).toEqual({ amountMinor: 1, currency: 'CNY' });
    expect(parseMoney('-0.05', 'CNY')).toEqual({ amountMinor: -5, currency: 'CNY' });
    expect(parseMoney(' 12 ', 'CNY')).toEqual({ amountMinor: 1200, currency: 'CNY' });
    expect(parseMoney('1500', 'JPY')).toEqual({ amountMinor: 1500, currency: 'JPY' });
    expect(parseMoney('1.234', 'KWD')).toEqual({ amountMinor: 1234, currency: 'KWD' });
    expect(parseMoney('0.1', 'KWD')).toEqual({ amountMinor: 100, currency: 'KWD' });
  });

  it('parses without floating point error (0.29 CNY is exactly 29 fen)', () => {
    expect(parseMoney('0.29', 'CNY').amountMinor).toBe(29);
    expect(parseMoney('1.15', 'CNY').amountMinor).toBe(115);
    expect(parseMoney('90071992547409.91', 'CNY').amountMinor).toBe(MAX);
  });

  it('formats minor units with the currency\'s decimals', () => {
    expect(formatMoney({ amountMinor: 123450, currency: 'CNY' })).toBe('1234.50');
    expect(formatMoney({ amountMinor: 5, currency: 'CNY' })).toBe('0.05');
    expect(formatMoney({ amountMinor: -5, currency: 'CNY' })).toBe('-0.05');
    expect(formatMoney({ amountMinor: 0, currency: 'CNY' })).toBe('0.00');
    expect(formatMoney({ amountMinor: 1500, currency: 'JPY' })).toBe('1500');
    expect(formatMoney({ amountMinor: -7, currency: 'JPY' })).toBe('-7');
    expect(formatMoney({ amountMinor: 1234, currency: 'KWD' })).toBe('1.234');
    expect(formatMoney({ amountMinor: 1, currency: 'KWD' })).toBe('0.001');
  });

  it('refuses more decimals than the currency has with VALIDATION on amount', () => {
    for (const [text, currency] of [['1.234', 'CNY'], ['1500.5', 'JPY'], ['1.0', 'JPY'], ['1.2345', 'KWD']] as const) {
      const err = crmErrorFrom(() => parseMoney(text, currency));
      expect(err.code).toBe('VALIDATION');
      expect(err.fieldErrors?.amount?.length).toBe(1);
    }
  });

  it('refuses text that is not a plain decimal number with VALIDATION on amount', () => {
    for (const text of ['', ' ', 'abc', '1e3', '1,000', '12.', '.5', '+5', '--1', '1.2.3', 'NaN', 'Infinity', '0x10', '１２']) {
      const err = crmErrorFrom(() => parseMoney(text, 'CNY'));
      expect(err.code).toBe('VALIDATION');
      expect(Object.keys(err.fieldErrors ?? {})).toEqual(['amount']);
    }
  });

  it('refuses amounts beyond the safe integer range with VALIDATION', () => {
    expect(crmErrorFrom(() => parseMoney('90071992547409.92', 'CNY')).code).toBe('VALIDATION');
    expect(crmErrorFrom(() => parseMoney('-9007199254740992', 'JPY')).code).toBe('VALIDATION');
    expect(crmErrorFrom(() => parseMoney('99999999999999999999999', 'JPY')).code).toBe('VALIDATION');
  });

  const currencies: CurrencyCode[] = ['CNY', 'JPY', 'KWD'];

  it('parses what it formats back to the same money, for CNY, JPY and KWD', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX, max: MAX }), fc.constantFrom(...currencies), (amountMinor, currency) => {
        const m = { amountMinor, currency };
        expect(parseMoney(formatMoney(m), currency)).toEqual(m);
      }),
    );
  });

  it('formats what it parses back to the canonical decimal text, for CNY, JPY and KWD', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...currencies),
        fc.boolean(),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.integer({ min: 0, max: 2 }), // leading zeros
        fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 3 }),
        (currency, negative, whole, leadingZeros, fracDigits) => {
          const exp = minorUnitExponent(currency);
          const frac = fracDigits.slice(0, exp);
          const text = `${negative ? '-' : ''}${'0'.repeat(leadingZeros)}${whole}${frac ? `.${frac}` : ''}`;
          const expectedMinor = (negative ? -1n : 1n) * (whole * 10n ** BigInt(exp) + BigInt(frac.padEnd(exp, '0') || '0'));
          const parsed = parseMoney(text, currency);
          expect(BigInt(parsed.amountMinor)).toBe(expectedMinor);
          const fracPart = exp === 0 ? '' : `.${frac.padEnd(exp, '0')}`;
          const canonical = `${negative && expectedMinor !== 0n ? '-' : ''}${whole}${fracPart}`;
          expect(formatMoney(parsed)).toBe(canonical);
        },
      ),
    );
  });
});

describe('money arithmetic', () => {
  it('adds and subtracts amounts of one currency', () => {
    expect(addMoney(money(150, 'CNY'), money(-50, 'CNY'))).toEqual({ amountMinor: 100, currency: 'CNY' });
    expect(subtractMoney(money(150, 'CNY'), money(200, 'CNY'))).toEqual({ amountMinor: -50, currency: 'CNY' });
  });

  it('refuses to add or subtract different currencies with VALIDATION naming both', () => {
    const err = crmErrorFrom(() => addMoney(money(1, 'CNY'), money(1, 'USD')));
    expect(err.code).toBe('VALIDATION');
    expect(err.details).toEqual({ currencies: ['CNY', 'USD'] });
    expect(crmErrorFrom(() => subtractMoney(money(1, 'JPY'), money(1, 'KWD'))).code).toBe('VALIDATION');
  });

  it('refuses a sum beyond the safe integer range with VALIDATION', () => {
    expect(crmErrorFrom(() => addMoney(money(MAX, 'CNY'), money(1, 'CNY'))).code).toBe('VALIDATION');
    expect(crmErrorFrom(() => subtractMoney(money(-MAX, 'CNY'), money(1, 'CNY'))).code).toBe('VALIDATION');
  });

  it('refuses to make money from a fraction of a minor unit or a lower-case currency', () => {
    expect(() => money(1.5, 'CNY')).toThrow();
    expect(() => money(1, 'cny')).toThrow();
    expect(() => money(MAX + 1, 'CNY')).toThrow();
  });
});

describe('allocateByBasisPoints input checks', () => {
  it('refuses fractional amounts and negative or fractional shares with VALIDATION', () => {
    for (const call of [() => allocateByBasisPoints(10.5, [10_000]), () => allocateByBasisPoints(100, [12_000, -2_000]), () => allocateByBasisPoints(100, [5_000.5, 4_999.5])]) {
      expect(crmErrorFrom(call).code).toBe('VALIDATION');
    }
  });
});
