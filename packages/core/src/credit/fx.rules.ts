import { z } from 'zod';
import { CrmError } from '../errors.js';
import { currencyCodeSchema, minorUnitExponent, type CurrencyCode } from '../money.js';

const RATE_PATTERN = /^(0|[1-9]\d{0,11})(\.\d{1,12})?$/;
const RATE_MESSAGE = 'expected an exchange rate as a plain decimal greater than 0, with at most 12 digits before and 12 after the point (such as 7.1234)';

/**
 * An exchange rate as an exact decimal string: units of the quote currency per 1 unit of the base
 * currency. Greater than 0, at most 12 digits before the point and 12 after, no sign, no exponent,
 * no leading zeros (`07.1` is refused), never a float.
 *
 * @example exchangeRateSchema.parse('7.1234') // '7.1234'
 */
export const exchangeRateSchema = z
  .string()
  .regex(RATE_PATTERN, RATE_MESSAGE)
  .refine((s) => /[1-9]/.test(s), 'an exchange rate must be greater than 0');

/**
 * A rate as an exact positive rational `numerator / denominator` (in lowest terms when made by
 * {@link parseRate} or {@link invertRate}), so its inverse is exact even where the decimal would
 * not terminate (1 / 7.1234).
 *
 * @example const r: Rate = { numerator: 35617n, denominator: 5000n }; // 7.1234
 */
export interface Rate {
  numerator: bigint;
  denominator: bigint;
}

/**
 * A tenant's exchange rate as stored: `rate` units of `quote` per 1 unit of `base`, in force from
 * `validFrom` until the next rate of the same pair.
 *
 * @example const usdCny: ExchangeRateFact = { base: 'USD', quote: 'CNY', rate: '7.1234', validFrom: new Date('2026-01-01T00:00:00Z') };
 */
export interface ExchangeRateFact {
  base: string;
  quote: string;
  rate: string;
  validFrom: Date;
}

/**
 * The rate {@link rateFor} found for `from → to` at an instant: the exact {@link Rate} plus where it
 * came from, for explanations. It is a Rate, so {@link convertMinor} takes it as it is.
 *
 * @example const r = rateFor(rates, 'USD', 'CNY', at); if (r) convertMinor(100_00, 'USD', 'CNY', r);
 */
export interface RateInForce extends Rate {
  from: CurrencyCode;
  to: CurrencyCode;
  /** The stored decimal: the `from → to` rate, or for an inverse the `to → from` rate it inverts ('1' for identity). */
  quoted: string;
  /** True when the rate is the exact inverse of a stored `to → from` rate. */
  inverse: boolean;
  /** When the stored rate took effect (null for the identity of a currency with itself). */
  validFrom: Date | null;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function reduced(numerator: bigint, denominator: bigint): Rate {
  const g = gcd(numerator, denominator);
  return { numerator: numerator / g, denominator: denominator / g };
}

/**
 * The exact rational value of a decimal rate; VALIDATION when the text is not an
 * {@link exchangeRateSchema} rate.
 *
 * @example parseRate('7.1250') // { numerator: 57n, denominator: 8n }
 */
export function parseRate(text: string): Rate {
  if (typeof text !== 'string' || !exchangeRateSchema.safeParse(text).success) throw CrmError.validation('rate', `${RATE_MESSAGE}; got ${String(text)}`);
  const [whole, frac = ''] = text.split('.');
  return reduced(BigInt(whole! + frac), 10n ** BigInt(frac.length));
}

/**
 * The exact inverse of a rate (`to → from` from `from → to`).
 *
 * @example invertRate(parseRate('7.1234')) // { numerator: 5000n, denominator: 35617n }
 */
export function invertRate(rate: Rate): Rate {
  const r = checkedRate(rate);
  return reduced(r.denominator, r.numerator);
}

function checkedRate(rate: Rate): Rate {
  if (typeof rate?.numerator !== 'bigint' || typeof rate.denominator !== 'bigint' || rate.numerator <= 0n || rate.denominator <= 0n) {
    throw CrmError.validation('rate', 'a rate must be a positive fraction of two bigints');
  }
  return rate;
}

function checkedCurrency(currency: string, path: string): CurrencyCode {
  if (!currencyCodeSchema.safeParse(currency).success) throw CrmError.validation(path, `expected an ISO 4217 currency code; got ${String(currency)}`);
  return currency;
}

/** `⌈n / d⌉` for d > 0: BigInt division truncates toward zero, which is already the ceiling below zero. */
function ceilDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n > 0n && n % d !== 0n ? q + 1n : q;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A BigInt count of minor units as a number; VALIDATION (naming `what`) when it is outside the
 * safe integer range.
 *
 * @example safeMinor(712_34n, 'the converted order') // 71234
 */
export function safeMinor(value: bigint, what: string): number {
  if (value > MAX_SAFE || value < -MAX_SAFE) throw new CrmError('VALIDATION', `${what} exceeds the safe integer range`, { details: { value: value.toString() } });
  return Number(value);
}

/**
 * Converts `amountMinor` minor units of `from` into minor units of `to` at `rate` (units of `to`
 * per 1 unit of `from`: a decimal string or an exact {@link Rate}), exactly in BigInt, using each
 * currency's minor-unit exponent, and **rounded up toward +infinity** (the ceiling), so a credit
 * check never counts less than the exact value. For negative amounts (credit on account) the
 * ceiling is toward zero: −7.12 becomes −7, counting slightly less credit, which is again the
 * conservative side. The same currency is the identity, and needs no rate.
 * VALIDATION when the amount is not a safe integer, a currency code is malformed, a rate is
 * missing or invalid, or the result leaves the safe integer range.
 *
 * @example convertMinor(100_00, 'USD', 'CNY', '7.1234') // 712_34
 * @example convertMinor(1, 'USD', 'JPY', '150.5') // 2 (1.505 yen, rounded up)
 * @example convertMinor(-1, 'USD', 'JPY', '150.5') // -1 (−1.505 yen, rounded toward +infinity)
 */
export function convertMinor(amountMinor: number, from: CurrencyCode, to: CurrencyCode, rate?: string | Rate | null): number {
  if (!Number.isSafeInteger(amountMinor)) throw CrmError.validation('amountMinor', 'the amount must be a safe integer of minor units');
  checkedCurrency(from, 'from');
  checkedCurrency(to, 'to');
  if (from === to) return amountMinor === 0 ? 0 : amountMinor;
  if (rate === null || rate === undefined) throw CrmError.validation('rate', `a rate is needed to convert ${from} to ${to}`);
  const r = typeof rate === 'string' ? parseRate(rate) : checkedRate(rate);
  const numerator = BigInt(amountMinor) * r.numerator * 10n ** BigInt(minorUnitExponent(to));
  const denominator = r.denominator * 10n ** BigInt(minorUnitExponent(from));
  const converted = safeMinor(ceilDiv(numerator, denominator), `${amountMinor} ${from} minor units converted to ${to}`);
  return converted === 0 ? 0 : converted;
}

/**
 * The rate in force at `at` for `from → to`: the stored `from → to` rate with the latest
 * `validFrom <= at`; only when there is none, the exact inverse of the latest `to → from` rate in
 * force. Rates taking effect after `at` are ignored; of two rates of a pair with the same
 * `validFrom`, the later in the list wins. The same currency gives the identity. Null when no rate
 * is in force: the caller refuses ("no rate from USD to CNY in force at …") rather than guess.
 * VALIDATION when the chosen stored rate is malformed.
 *
 * @example
 * rateFor([{ base: 'USD', quote: 'CNY', rate: '7.1234', validFrom: new Date('2026-01-01T00:00:00Z') }], 'CNY', 'USD', new Date('2026-02-01T00:00:00Z'))
 * // { numerator: 5000n, denominator: 35617n, from: 'CNY', to: 'USD', quoted: '7.1234', inverse: true, validFrom: 2026-01-01T00:00:00.000Z }
 */
export function rateFor(rates: readonly ExchangeRateFact[], from: CurrencyCode, to: CurrencyCode, at: Date): RateInForce | null {
  checkedCurrency(from, 'from');
  checkedCurrency(to, 'to');
  const t = at instanceof Date ? at.getTime() : Number.NaN;
  if (Number.isNaN(t)) throw CrmError.validation('at', 'expected a valid Date');
  if (from === to) return { numerator: 1n, denominator: 1n, from, to, quoted: '1', inverse: false, validFrom: null };
  const latest = (base: string, quote: string): ExchangeRateFact | null => {
    let found: ExchangeRateFact | null = null;
    for (const r of rates) {
      const since = r.validFrom instanceof Date ? r.validFrom.getTime() : Number.NaN;
      if (r.base === base && r.quote === quote && since <= t && (found === null || since >= found.validFrom.getTime())) found = r;
    }
    return found;
  };
  const direct = latest(from, to);
  if (direct) return { ...parseRate(direct.rate), from, to, quoted: direct.rate, inverse: false, validFrom: direct.validFrom };
  const opposite = latest(to, from);
  if (opposite) return { ...invertRate(parseRate(opposite.rate)), from, to, quoted: opposite.rate, inverse: true, validFrom: opposite.validFrom };
  return null;
}
