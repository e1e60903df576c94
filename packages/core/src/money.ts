import { z } from 'zod';
import { CrmError } from './errors.js';

/** Minor-unit exponents for currencies whose exponent is not 2 (ISO 4217). */
const exponents: Record<string, number> = {
  JPY: 0, KRW: 0, VND: 0, CLP: 0, ISK: 0, UGX: 0, XAF: 0, XOF: 0, PYG: 0,
  BHD: 3, KWD: 3, OMR: 3, JOD: 3, TND: 3, LYD: 3, IQD: 3,
};

/** Three upper-case letters, as ISO 4217 writes a currency. */
export const currencyCodeSchema = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code such as CNY or USD');
export type CurrencyCode = z.infer<typeof currencyCodeSchema>;

/** A count of minor units (fen, cents) that JSON and JavaScript carry exactly. */
export const minorUnitsSchema = z.number().int().refine(Number.isSafeInteger, 'amount exceeds the safe integer range');

/** Money as integer minor units with its currency. Never a float. */
export const moneySchema = z.object({ amountMinor: minorUnitsSchema, currency: currencyCodeSchema });
export type Money = z.infer<typeof moneySchema>;

/** Basis points: 10000 = 100%. */
export const basisPointsSchema = z.number().int().min(0).max(10_000);
export const FULL_SHARE_BPS = 10_000;

export function minorUnitExponent(currency: CurrencyCode): number {
  return exponents[currency] ?? 2;
}

export function money(amountMinor: number, currency: CurrencyCode): Money {
  const parsed = moneySchema.safeParse({ amountMinor, currency });
  if (!parsed.success) {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) (fieldErrors[issue.path.join('.')] ??= []).push(issue.message);
    throw new CrmError('VALIDATION', 'invalid money', { fieldErrors });
  }
  return parsed.data;
}

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new CrmError('VALIDATION', `cannot combine ${a.currency} with ${b.currency}`, { details: { currencies: [a.currency, b.currency] } });
}

function checked(amountMinor: number, currency: CurrencyCode): Money {
  if (!Number.isSafeInteger(amountMinor)) throw new CrmError('VALIDATION', 'amount exceeds the safe integer range', { details: { currency } });
  return { amountMinor, currency };
}

export function addMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return checked(a.amountMinor + b.amountMinor, a.currency);
}

export function subtractMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return checked(a.amountMinor - b.amountMinor, a.currency);
}

/**
 * Parses a decimal string into minor units without floating point.
 *
 * @example parseMoney('1234.5', 'CNY') // { amountMinor: 123450, currency: 'CNY' }
 */
export function parseMoney(text: string, currency: CurrencyCode): Money {
  const exp = minorUnitExponent(currency);
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw CrmError.validation('amount', `not a decimal amount: ${text}`);
  const [, sign, whole, frac = ''] = m;
  if (frac.length > exp) throw CrmError.validation('amount', `${currency} has ${exp} decimal places; got ${frac.length}`);
  const units = BigInt(whole!) * 10n ** BigInt(exp) + BigInt(frac.padEnd(exp, '0') || '0');
  const value = Number(sign ? -units : units);
  return checked(value, currency);
}

/** Formats minor units as a plain decimal string (`123450, CNY` → `1234.50`). */
export function formatMoney({ amountMinor, currency }: Money): string {
  const exp = minorUnitExponent(currency);
  const negative = amountMinor < 0;
  const digits = String(Math.abs(amountMinor)).padStart(exp + 1, '0');
  const whole = digits.slice(0, digits.length - exp);
  const frac = exp === 0 ? '' : `.${digits.slice(digits.length - exp)}`;
  return `${negative ? '-' : ''}${whole}${frac}`;
}

/**
 * Minor units with their currency code, as explanations and error messages write them
 * (`123450, CNY` → `CNY 1234.50`).
 *
 * @example moneyText(123450, 'CNY') // 'CNY 1234.50'
 */
export function moneyText(amountMinor: number | bigint, currency: CurrencyCode): string {
  return `${currency} ${formatMoney({ amountMinor: Number(amountMinor), currency })}`;
}

/**
 * Splits an amount by basis-point shares so the parts sum exactly to the amount, using largest
 * remainders; equal remainders go to the earlier share, so the result is deterministic.
 *
 * @example allocateByBasisPoints(100, [3333, 3333, 3334]) // [33, 33, 34]
 */
export function allocateByBasisPoints(amountMinor: number, sharesBps: readonly number[]): number[] {
  if (!Number.isSafeInteger(amountMinor)) throw CrmError.validation('amountMinor', 'the amount must be a safe integer of minor units');
  if (!sharesBps.every((s) => Number.isInteger(s) && s >= 0)) throw new CrmError('VALIDATION', 'shares must be non-negative whole basis points', { details: { sharesBps } });
  const total = sharesBps.reduce((a, b) => a + b, 0);
  if (total !== FULL_SHARE_BPS) throw new CrmError('VALIDATION', `shares must sum to ${FULL_SHARE_BPS} basis points; got ${total}`, { details: { sharesBps } });
  const amount = BigInt(amountMinor);
  const base = sharesBps.map((s) => (amount * BigInt(s)) / BigInt(FULL_SHARE_BPS));
  const remainders = sharesBps.map((s, i) => ({ i, r: (amount * BigInt(s)) % BigInt(FULL_SHARE_BPS) }));
  let left = amount - base.reduce((a, b) => a + b, 0n);
  const step = left >= 0n ? 1n : -1n;
  remainders.sort((a, b) => (step > 0n ? (b.r > a.r ? 1 : b.r < a.r ? -1 : a.i - b.i) : (a.r > b.r ? 1 : a.r < b.r ? -1 : a.i - b.i)));
  for (let k = 0; left !== 0n; k = (k + 1) % remainders.length) {
    base[remainders[k]!.i]! += step;
    left -= step;
  }
  return base.map(Number);
}
