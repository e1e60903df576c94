import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crmErrorFrom } from '../__tests__/crm-error-from.js';
import { explanationStepSchema, step } from '../explanation.js';
import type { ExposureFigures } from '../exposure/exposure.rules.js';
import { approvalExpiresAt, availableOf, checkCredit, creditOutcome, type AccountExposureFacts, type CreditCheckFacts, type PathNode } from './credit.rules.js';
import { creditDecisionSchema, creditStatusSchema, type CreditDecision, type CreditRefusalCode } from './credit.schema.js';
import { convertMinor, rateFor, type ExchangeRateFact } from './fx.rules.js';

const d = (iso: string) => new Date(iso);
/** A valid account id whose last characters say which account it is. */
const acc = (tag: string) => `acc_${tag.padStart(26, '0')}`;
const HQ = acc('HQ');
const EAST = acc('EAST');
const STA = acc('STA'); // store A
const STB = acc('STB'); // store B
const AT = d('2026-03-15T02:00:00Z');

const fig = (ordersOpenMinor: number, invoicesOpenMinor = 0, onAccountCreditMinor = 0): ExposureFigures => ({ ordersOpenMinor, invoicesOpenMinor, onAccountCreditMinor });
const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });

const RATES: ExchangeRateFact[] = [
  { base: 'USD', quote: 'CNY', rate: '7.1000', validFrom: d('2026-01-01T00:00:00Z') },
  { base: 'USD', quote: 'CNY', rate: '7.2500', validFrom: d('2026-03-01T00:00:00Z') },
  { base: 'USD', quote: 'CNY', rate: '7.5000', validFrom: d('2026-04-01T00:00:00Z') },
];

/**
 * The seed's chain: HQ (group limit CNY 1,000,000.00, own documents CNY 500,000.00) → region East →
 * store A (own limit CNY 200,000.00; orders 120,000 + invoices 40,000 − credit 10,000 = 150,000.00)
 * and store B (no limits, CNY 250,000.00). Group: East 400,000.00, HQ 900,000.00.
 */
const EXPOSURES: Record<string, AccountExposureFacts> = {
  [STA]: { own: { CNY: fig(120_000_00, 40_000_00, 10_000_00) }, group: { CNY: fig(120_000_00, 40_000_00, 10_000_00) } },
  [STB]: { own: { CNY: fig(250_000_00) }, group: { CNY: fig(250_000_00) } },
  [EAST]: { own: {}, group: { CNY: fig(370_000_00, 40_000_00, 10_000_00) } },
  [HQ]: { own: { CNY: fig(500_000_00) }, group: { CNY: fig(870_000_00, 40_000_00, 10_000_00) } },
};
const hq: PathNode = { accountId: HQ, groupLimit: cny(1_000_000_00) };
const east: PathNode = { accountId: EAST };
const storeA: PathNode = { accountId: STA, ownLimit: cny(200_000_00) };
const storeB: PathNode = { accountId: STB };

function facts(over: Partial<CreditCheckFacts> = {}): CreditCheckFacts {
  return { at: AT, orderAmountMinor: 0, orderCurrency: 'CNY', path: [storeA, east, hq], exposures: EXPOSURES, rates: RATES, overrunBps: 0, ...over };
}

/** Checks the decision against its schema (as the server's output validation will) and returns it. */
function check(f: CreditCheckFacts): CreditDecision {
  const decision = checkCredit(f);
  expect(creditDecisionSchema.parse(decision)).toEqual(decision);
  return decision;
}

describe('checkCredit: the seed’s chain store', () => {
  it('refuses store B’s order that would push headquarters’ group over CNY 1,000,000.00, naming limit, exposure and shortfall', () => {
    const decision = check(facts({ path: [storeB, east, hq], orderAmountMinor: 120_000_00 }));
    expect(decision.outcome).toBe('refuse');
    expect(decision.code).toBe('CREDIT_LIMIT_EXCEEDED');
    expect(decision.breaches).toEqual([
      { accountId: HQ, scope: 'group', limitMinor: 1_000_000_00, allowedMinor: 1_000_000_00, currency: 'CNY', exposureMinor: 900_000_00, orderMinor: 120_000_00, shortfallMinor: 20_000_00 },
    ]);
    expect(decision.explanation.at(-1)?.message).toContain(`${HQ} group limit CNY 1000000.00: exposure CNY 900000.00 + order CNY 120000.00, short by CNY 20000.00`);
  });

  it('refuses store A’s order over its own limit while the group still fits', () => {
    const decision = check(facts({ orderAmountMinor: 60_000_00 }));
    expect(decision.code).toBe('CREDIT_LIMIT_EXCEEDED');
    expect(decision.breaches).toEqual([
      { accountId: STA, scope: 'own', limitMinor: 200_000_00, allowedMinor: 200_000_00, currency: 'CNY', exposureMinor: 150_000_00, orderMinor: 60_000_00, shortfallMinor: 10_000_00 },
    ]);
    expect(decision.limits.map((l) => [l.accountId, l.scope, l.result, l.availableMinor])).toEqual([
      [STA, 'own', 'exceeded', 50_000_00],
      [HQ, 'group', 'fits', 100_000_00],
    ]);
  });

  it('passes store A’s order that fits both limits', () => {
    const decision = check(facts({ orderAmountMinor: 50_000_00 })); // own lands exactly on the limit
    expect(decision).toMatchObject({ outcome: 'pass', code: null, breaches: [], holds: [], overdue: [], missingRates: [] });
    expect(decision.explanation.at(-1)).toEqual({ rule: 'credit-decision', outcome: 'applied', message: `the order passes: CNY 50000.00 for ${STA} is within every limit on the path`, subjectId: STA });
  });

  it('reports every breach, not only the first: store A’s own limit and headquarters’ group limit', () => {
    const decision = check(facts({ orderAmountMinor: 130_000_00 }));
    expect(decision.breaches.map((b) => [b.accountId, b.scope, b.shortfallMinor])).toEqual([
      [STA, 'own', 80_000_00],
      [HQ, 'group', 30_000_00],
    ]);
  });

  it('explains every limit checked: its exposure, the order converted, and matched when it refuses, skipped when it fits', () => {
    const decision = check(facts({ orderAmountMinor: 60_000_00 }));
    const about = (id: string) => decision.explanation.filter((s) => s.subjectId === id).map((s) => [s.rule, s.outcome, s.message]);
    expect(about(STA)).toEqual(expect.arrayContaining([
      ['credit-exposure', 'applied', `${STA} own exposure: CNY 150000.00 = CNY 150000.00`],
      ['credit-order', 'applied', `the order CNY 60000.00 adds to ${STA}'s own exposure`],
      ['credit-own-limit', 'matched', `${STA} own limit CNY 200000.00: exposure CNY 150000.00 + order CNY 60000.00 = CNY 210000.00 exceeds it by CNY 10000.00 (available CNY 50000.00)`],
      ['credit-group-limit', 'skipped', `${STA} has no group limit`],
    ]));
    expect(about(HQ)).toEqual([
      ['credit-exposure', 'applied', `${HQ} group exposure: CNY 900000.00 = CNY 900000.00`],
      ['credit-order', 'applied', `the order CNY 60000.00 adds to ${HQ}'s group exposure`],
      ['credit-group-limit', 'skipped', `${HQ} group limit CNY 1000000.00: exposure CNY 900000.00 + order CNY 60000.00 = CNY 960000.00 fits (available CNY 100000.00)`],
    ]);
    for (const s of decision.explanation) expect(explanationStepSchema.parse(s)).toEqual(s);
  });

  it('does not check an ancestor’s own limit: the order adds only to its group exposure', () => {
    const decision = check(facts({ path: [storeB, east, { ...hq, ownLimit: cny(100_000_00) }], orderAmountMinor: 10_000_00 })); // HQ's own 500,000 is over its own limit
    expect(decision.outcome).toBe('pass');
    expect(decision.limits.map((l) => [l.accountId, l.scope])).toEqual([[HQ, 'group']]);
    expect(decision.explanation).toContainEqual({ rule: 'credit-own-limit', outcome: 'skipped', message: `${HQ} own limit is not checked: the order is billed to ${STB} and adds only to ${HQ}'s group exposure`, subjectId: HQ });
  });

  it('counts an order pushing an already-over limit further as a breach', () => {
    const decision = check(facts({ path: [{ ...storeB, ownLimit: cny(200_000_00) }], orderAmountMinor: 1 }));
    expect(decision.breaches).toEqual([{ accountId: STB, scope: 'own', limitMinor: 200_000_00, allowedMinor: 200_000_00, currency: 'CNY', exposureMinor: 250_000_00, orderMinor: 1, shortfallMinor: 50_000_01 }]);
  });
});

describe('checkCredit: currencies', () => {
  it('converts a USD order at the rate in force (7.25 since 1 March), ignoring the older and the future rate', () => {
    const decision = check(facts({ orderAmountMinor: 8_000_00, orderCurrency: 'USD' })); // USD 8,000.00 → CNY 58,000.00
    expect(decision.breaches).toEqual([
      { accountId: STA, scope: 'own', limitMinor: 200_000_00, allowedMinor: 200_000_00, currency: 'CNY', exposureMinor: 150_000_00, orderMinor: 58_000_00, shortfallMinor: 8_000_00 },
    ]);
    expect(decision.explanation).toContainEqual({
      rule: 'credit-order',
      outcome: 'applied',
      message: `the order USD 8000.00 → CNY 58000.00 at USD→CNY 7.2500 in force since 2026-03-01T00:00:00.000Z adds to ${STA}'s own exposure`,
      subjectId: STA,
    });
  });

  it('uses the older rate at an instant before the newer took effect', () => {
    const decision = check(facts({ at: d('2026-02-15T00:00:00Z'), orderAmountMinor: 8_000_00, orderCurrency: 'USD' })); // at 7.10: CNY 56,800.00
    expect(decision.breaches[0]).toMatchObject({ orderMinor: 56_800_00, shortfallMinor: 6_800_00 });
  });

  it('converts each currency part of the exposure, rounded up, and says at which rate', () => {
    const exposures = { ...EXPOSURES, [HQ]: { group: { CNY: fig(900_000_00), USD: fig(10_000_00, 0, 0) } } };
    const decision = check(facts({ path: [storeB, east, hq], exposures, orderAmountMinor: 30_000_00 }));
    expect(decision.breaches).toEqual([
      { accountId: HQ, scope: 'group', limitMinor: 1_000_000_00, allowedMinor: 1_000_000_00, currency: 'CNY', exposureMinor: 972_500_00, orderMinor: 30_000_00, shortfallMinor: 2_500_00 },
    ]);
    expect(decision.limits[0]?.parts).toEqual([
      { currency: 'CNY', exposureMinor: 900_000_00, convertedMinor: 900_000_00, rate: null },
      { currency: 'USD', exposureMinor: 10_000_00, convertedMinor: 72_500_00, rate: { quoted: '7.2500', inverse: false, validFrom: '2026-03-01T00:00:00.000Z' } },
    ]);
    expect(decision.explanation).toContainEqual({
      rule: 'credit-exposure',
      outcome: 'applied',
      message: `${HQ} group exposure: CNY 900000.00 + USD 10000.00 → CNY 72500.00 at USD→CNY 7.2500 in force since 2026-03-01T00:00:00.000Z = CNY 972500.00`,
      subjectId: HQ,
    });
  });

  it('uses the exact inverse of the opposite rate, rounding the converted order up', () => {
    const rates = [{ base: 'CNY', quote: 'USD', rate: '0.1379', validFrom: d('2026-01-01T00:00:00Z') }];
    const decision = check(facts({ rates, orderAmountMinor: 1_000_00, orderCurrency: 'USD' })); // 1000 / 0.1379 = 7251.6316… → 7251.64
    expect(decision.limits.map((l) => l.orderMinor)).toEqual([7_251_64, 7_251_64]);
    expect(decision.explanation.find((s) => s.rule === 'credit-order')?.message).toContain('at 1 / 0.1379 (the inverse of the CNY→USD rate 0.1379 in force since 2026-01-01T00:00:00.000Z)');
  });

  it('refuses with NO_EXCHANGE_RATE when no rate for the order’s currency is in force, rather than guessing', () => {
    const decision = check(facts({ orderAmountMinor: 100_00, orderCurrency: 'EUR' }));
    expect(decision).toMatchObject({ outcome: 'refuse', code: 'NO_EXCHANGE_RATE', missingRates: [{ from: 'EUR', to: 'CNY' }], breaches: [] });
    expect(decision.limits.map((l) => l.result)).toEqual(['no-rate', 'no-rate']);
    expect(decision.explanation).toContainEqual({ rule: 'credit-exchange-rate', outcome: 'matched', message: 'no rate from EUR to CNY in force at 2026-03-15T02:00:00.000Z: the check refuses rather than guess', subjectId: STA });
  });

  it('refuses with NO_EXCHANGE_RATE when only a future rate exists', () => {
    const decision = check(facts({ at: d('2025-12-31T00:00:00Z'), orderAmountMinor: 100_00, orderCurrency: 'USD' }));
    expect(decision.code).toBe('NO_EXCHANGE_RATE');
    expect(decision.missingRates).toEqual([{ from: 'USD', to: 'CNY' }]);
  });

  it('refuses with NO_EXCHANGE_RATE when an exposure part cannot be converted, and leaves that limit unchecked', () => {
    const exposures = { ...EXPOSURES, [HQ]: { group: { CNY: fig(100_00), USD: fig(5_00) } } };
    const decision = check(facts({ path: [storeB, east, hq], exposures, rates: [], orderAmountMinor: 1_00 }));
    expect(decision.code).toBe('NO_EXCHANGE_RATE');
    expect(decision.limits).toEqual([
      expect.objectContaining({ accountId: HQ, exposureMinor: null, availableMinor: null, orderMinor: 1_00, result: 'no-rate', parts: [
        { currency: 'CNY', exposureMinor: 100_00, convertedMinor: 100_00, rate: null },
        { currency: 'USD', exposureMinor: 5_00, convertedMinor: null, rate: null },
      ] }),
    ]);
  });

  it('needs no rate for a currency whose exposure nets to zero', () => {
    const exposures = { ...EXPOSURES, [HQ]: { group: { CNY: fig(100_00), USD: fig(5_00, 0, 5_00) } } };
    expect(check(facts({ path: [storeB, east, hq], exposures, rates: [], orderAmountMinor: 1_00 })).outcome).toBe('pass');
  });
});

describe('checkCredit: overrun, holds, overdue invoices, credit on account', () => {
  it('lets through with a 5 % overrun an order that 0 % refuses', () => {
    const order = { orderAmountMinor: 58_000_00 }; // store A: 150,000 + 58,000 = 208,000
    expect(check(facts({ ...order, overrunBps: 0 })).breaches).toEqual([expect.objectContaining({ accountId: STA, allowedMinor: 200_000_00, shortfallMinor: 8_000_00 })]);
    const decision = check(facts({ ...order, overrunBps: 500 }));
    expect(decision.outcome).toBe('pass');
    expect(decision.limits[0]).toMatchObject({ accountId: STA, limitMinor: 200_000_00, allowedMinor: 210_000_00, availableMinor: 60_000_00 });
    expect(decision.explanation).toContainEqual(expect.objectContaining({ rule: 'credit-own-limit', message: expect.stringContaining('(CNY 210000.00 allowed with a 500 bps overrun)') }));
  });

  it('rounds the allowed amount down: CNY 3.33 with 5 % is CNY 3.49, not 3.4965', () => {
    const decision = check(facts({ path: [{ accountId: STB, ownLimit: cny(333) }], exposures: {}, overrunBps: 500, orderAmountMinor: 350 }));
    expect(decision.breaches).toEqual([{ accountId: STB, scope: 'own', limitMinor: 333, allowedMinor: 349, currency: 'CNY', exposureMinor: 0, orderMinor: 350, shortfallMinor: 1 }]);
  });

  it('refuses a branch’s order when the root is on credit hold, naming the hold', () => {
    const held = { ...hq, hold: { reason: 'disputed rebate', by: 'u_finance', at: d('2026-03-10T08:00:00Z') } };
    const decision = check(facts({ path: [storeA, east, held], orderAmountMinor: 1_00 }));
    expect(decision).toMatchObject({ outcome: 'refuse', code: 'CREDIT_HOLD', holds: [{ accountId: HQ, reason: 'disputed rebate', by: 'u_finance', at: '2026-03-10T08:00:00.000Z' }], breaches: [] });
    expect(decision.explanation[0]).toEqual({
      rule: 'credit-hold',
      outcome: 'matched',
      message: `${HQ} (an ancestor of ${STA}) is on credit hold since 2026-03-10T08:00:00.000Z by u_finance: disputed rebate`,
      subjectId: HQ,
    });
  });

  it('refuses while an invoice of the path is overdue more than N days, and only then', () => {
    const overdue = [
      { accountId: STA, invoiceId: 'inv_1', daysPastDue: 45 },
      { accountId: EAST, invoiceId: 'inv_2', daysPastDue: 30 },
      { accountId: STB, invoiceId: 'inv_3', daysPastDue: 90 }, // store B is not on store A's path
    ];
    const decision = check(facts({ orderAmountMinor: 1_00, overdue, maxOverdueDays: 30 }));
    expect(decision).toMatchObject({ outcome: 'refuse', code: 'OVERDUE_INVOICES', overdue: [{ accountId: STA, invoiceId: 'inv_1', daysPastDue: 45 }] });
    expect(check(facts({ orderAmountMinor: 1_00, overdue, maxOverdueDays: 45 })).outcome).toBe('pass'); // 45 is not more than 45
    expect(check(facts({ orderAmountMinor: 1_00, overdue, maxOverdueDays: null })).outcome).toBe('pass');
    expect(check(facts({ orderAmountMinor: 1_00, overdue })).explanation).toContainEqual(step('credit-overdue', 'skipped', 'the tenant does not block orders for overdue invoices', STA));
  });

  it('keeps the sign of negative exposure: credit on account makes more available', () => {
    const exposures = { [STB]: { own: { CNY: fig(0, 0, 5_000_00) } } };
    const path = [{ accountId: STB, ownLimit: cny(10_000_00) }];
    const fits = check(facts({ path, exposures, orderAmountMinor: 15_000_00 }));
    expect(fits.outcome).toBe('pass');
    expect(fits.limits[0]).toMatchObject({ exposureMinor: -5_000_00, availableMinor: 15_000_00, orderMinor: 15_000_00, result: 'fits' });
    expect(check(facts({ path, exposures, orderAmountMinor: 15_000_01 })).breaches).toEqual([
      { accountId: STB, scope: 'own', limitMinor: 10_000_00, allowedMinor: 10_000_00, currency: 'CNY', exposureMinor: -5_000_00, orderMinor: 15_000_01, shortfallMinor: 1 },
    ]);
  });

  it('converts a credit in another currency toward +infinity (less credit counted)', () => {
    const exposures = { [STB]: { own: { JPY: fig(0, 0, 1) } } }; // ¥−1 at 0.0478 = CNY −0.0478 → −0.04
    const decision = check(facts({ path: [{ accountId: STB, ownLimit: cny(0) }], exposures, rates: [{ base: 'JPY', quote: 'CNY', rate: '0.0478', validFrom: d('2026-01-01T00:00:00Z') }], orderAmountMinor: 4 }));
    expect(decision.limits[0]).toMatchObject({ exposureMinor: -4, availableMinor: 4, result: 'fits' });
  });

  it('picks the code by precedence (rate, hold, overdue, limit) and still reports every finding', () => {
    const held = { ...hq, hold: { reason: 'audit', by: 'u_cfo', at: d('2026-03-01T00:00:00Z') } };
    const overdue = [{ accountId: EAST, invoiceId: 'inv_9', daysPastDue: 100 }];
    const exposures = { ...EXPOSURES, [EAST]: { group: { EUR: fig(1_00) } } };
    const path = [storeA, { ...east, groupLimit: cny(1) }, held];
    const all = check(facts({ path, exposures, overdue, maxOverdueDays: 60, orderAmountMinor: 300_000_00 }));
    expect(all.code).toBe('NO_EXCHANGE_RATE');
    expect([all.missingRates.length, all.holds.length, all.overdue.length, all.breaches.length]).toEqual([1, 1, 1, 2]);
    expect(check(facts({ path: [storeA, east, held], overdue, maxOverdueDays: 60, orderAmountMinor: 300_000_00 })).code).toBe('CREDIT_HOLD');
    expect(check(facts({ overdue, maxOverdueDays: 60, orderAmountMinor: 300_000_00 })).code).toBe('OVERDUE_INVOICES');
    expect(check(facts({ orderAmountMinor: 300_000_00 })).code).toBe('CREDIT_LIMIT_EXCEEDED');
  });

  it('refuses malformed facts with VALIDATION', () => {
    expect(crmErrorFrom(() => checkCredit(facts({ path: [] }))).code).toBe('VALIDATION');
    expect(crmErrorFrom(() => checkCredit(facts({ path: [storeA, east, storeA] }))).message).toContain('appears twice');
    expect(crmErrorFrom(() => checkCredit(facts({ path: [{ accountId: STA, ownLimit: cny(-1) }] }))).fieldErrors).toHaveProperty(['path.0.ownLimit.amountMinor']);
    expect(crmErrorFrom(() => checkCredit(facts({ orderAmountMinor: 1.5 }))).fieldErrors).toHaveProperty(['orderAmountMinor']);
    expect(crmErrorFrom(() => checkCredit(facts({ overrunBps: -1 }))).fieldErrors).toHaveProperty(['overrunBps']);
    expect(crmErrorFrom(() => checkCredit(facts({ maxOverdueDays: 2.5 }))).fieldErrors).toHaveProperty(['maxOverdueDays']);
    expect(crmErrorFrom(() => checkCredit(facts({ exposures: { [STA]: { own: { CNY: fig(Number.MAX_SAFE_INTEGER, 1) } } } }))).code).toBe('VALIDATION');
  });
});

describe('availableOf', () => {
  it('lists every limit on the path with its exposure and what is available, no order counted', () => {
    const status = availableOf({ at: AT, path: [storeA, east, { ...hq, ownLimit: cny(400_000_00) }], exposures: EXPOSURES, rates: RATES, overrunBps: 0 });
    expect(creditStatusSchema.parse(status)).toEqual(status);
    expect(status.limits.map((l) => [l.accountId, l.scope, l.exposureMinor, l.availableMinor])).toEqual([
      [STA, 'own', 150_000_00, 50_000_00],
      [HQ, 'own', 500_000_00, -100_000_00], // already over: negative
      [HQ, 'group', 900_000_00, 100_000_00],
    ]);
    expect(status.missingRates).toEqual([]);
    expect(status.explanation).toContainEqual({ rule: 'credit-group-limit', outcome: 'applied', message: `${HQ} group limit CNY 1000000.00: available CNY 100000.00`, subjectId: HQ });
  });

  it('leaves exposure and availability unknown where a rate is missing', () => {
    const status = availableOf({ at: AT, path: [storeB, east, hq], exposures: { [HQ]: { group: { USD: fig(1_00) } } }, rates: [], overrunBps: 0 });
    expect(status.limits).toEqual([expect.objectContaining({ accountId: HQ, scope: 'group', exposureMinor: null, availableMinor: null })]);
    expect(status.missingRates).toEqual([{ from: 'USD', to: 'CNY' }]);
  });
});

describe('checkCredit: properties', () => {
  const ids = [acc('N0'), acc('N1'), acc('N2'), acc('N3')];
  const currency = fc.constantFrom('CNY', 'USD', 'JPY');
  const limit = fc.option(fc.record({ amountMinor: fc.integer({ min: 0, max: 10_000_000_00 }), currency }), { nil: null });
  const figures = fc.dictionary(currency, fc.record({
    ordersOpenMinor: fc.integer({ min: 0, max: 5_000_000_00 }),
    invoicesOpenMinor: fc.integer({ min: 0, max: 5_000_000_00 }),
    onAccountCreditMinor: fc.integer({ min: 0, max: 5_000_000_00 }),
  }), { maxKeys: 3 });
  const exposures = fc.array(fc.record({ own: figures, group: figures }), { minLength: 4, maxLength: 4 }).map((list) => Object.fromEntries(list.map((e, i) => [ids[i]!, e])));
  const rateDigits = fc.integer({ min: 1, max: 99_999_999 }).map((n) => (n / 10_000).toFixed(4).replace(/^0+(?=\d)/, ''));
  /** Rates among all three currencies, so every conversion finds one (directly or inverted). */
  const rates = fc.tuple(rateDigits, rateDigits).map(([usdCny, cnyJpy]): ExchangeRateFact[] => [
    { base: 'USD', quote: 'CNY', rate: usdCny, validFrom: d('2026-01-01T00:00:00Z') },
    { base: 'CNY', quote: 'JPY', rate: cnyJpy, validFrom: d('2026-01-01T00:00:00Z') },
    { base: 'USD', quote: 'JPY', rate: '150.25', validFrom: d('2026-01-01T00:00:00Z') },
  ]);
  const path = fc.array(fc.record({ ownLimit: limit, groupLimit: limit }), { minLength: 1, maxLength: 4 }).map((nodes): PathNode[] => nodes.map((n, i) => ({ accountId: ids[i]!, ...n })));
  const world = fc.record({
    path, exposures, rates, currency, amount: fc.integer({ min: 0, max: 2_000_000_00 }), overrunBps: fc.constantFrom(0, 250, 500, 1_000, 10_000),
  }).map(({ path: p, exposures: e, rates: r, currency: c, amount, overrunBps }): CreditCheckFacts => ({
    at: AT, path: p, exposures: e, rates: r, orderCurrency: c, orderAmountMinor: amount, overrunBps,
  }));

  it('a pass stays a pass when the order amount decreases', () => {
    fc.assert(
      fc.property(world, fc.integer({ min: 0, max: 2_000_000_00 }), (f, less) => {
        fc.pre(checkCredit(f).outcome === 'pass');
        expect(checkCredit({ ...f, orderAmountMinor: Math.min(less, f.orderAmountMinor) }).outcome).toBe('pass');
        expect(checkCredit({ ...f, orderAmountMinor: f.orderAmountMinor - less }).outcome).toBe('pass'); // down to a negative amendment
      }),
      { numRuns: 300 },
    );
  });

  it('a check with no limits always passes, whatever the exposure and even with no rates', () => {
    fc.assert(
      fc.property(world, fc.boolean(), (f, noRates) => {
        const decision = checkCredit({ ...f, rates: noRates ? [] : f.rates, path: f.path.map((n) => ({ accountId: n.accountId })) });
        expect(decision).toMatchObject({ outcome: 'pass', code: null, breaches: [], missingRates: [], limits: [] });
      }),
    );
  });

  it('breaches are exactly the limits exceeded, each with shortfall = exposure + order − allowed > 0 and allowed = ⌊limit × (1 + overrun)⌋', () => {
    fc.assert(
      fc.property(world, (f) => {
        const decision = checkCredit(f);
        expect(creditDecisionSchema.safeParse(decision).success).toBe(true);
        expect(decision.missingRates).toEqual([]);
        for (const l of decision.limits) {
          expect(l.allowedMinor).toBe(Math.floor((l.limitMinor * (10_000 + f.overrunBps)) / 10_000)); // exact: well under 2^53 here
          expect(l.availableMinor).toBe(l.allowedMinor - l.exposureMinor!);
          expect(l.result).toBe(l.exposureMinor! + l.orderMinor! > l.allowedMinor ? 'exceeded' : 'fits');
        }
        const exceeded = decision.limits.filter((l) => l.result === 'exceeded');
        expect(decision.breaches.map((b) => [b.accountId, b.scope])).toEqual(exceeded.map((l) => [l.accountId, l.scope]));
        for (const b of decision.breaches) {
          expect(b.shortfallMinor).toBe(b.exposureMinor + b.orderMinor - b.allowedMinor);
          expect(b.shortfallMinor).toBeGreaterThan(0);
        }
        const total = decision.breaches.reduce((s, b) => s + b.shortfallMinor, 0);
        expect(total).toBe(exceeded.reduce((s, l) => s + (l.exposureMinor! + l.orderMinor! - l.allowedMinor), 0));
        expect(decision.code).toBe(decision.breaches.length ? 'CREDIT_LIMIT_EXCEEDED' : null);
        // only the bill-to account's own limit and group limits are checked, each once
        const expected = f.path.flatMap((n, i) => [...(i === 0 && n.ownLimit ? [[n.accountId, 'own']] : []), ...(n.groupLimit ? [[n.accountId, 'group']] : [])]);
        expect(decision.limits.map((l) => [l.accountId, l.scope])).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('converts the order into each limit’s currency with convertMinor at the rate in force (rounded up, see fx.rules.test.ts)', () => {
    fc.assert(
      fc.property(world, (f) => {
        for (const l of checkCredit(f).limits) {
          expect(l.orderMinor).toBe(convertMinor(f.orderAmountMinor, f.orderCurrency, l.currency, rateFor(f.rates, f.orderCurrency, l.currency, f.at)));
        }
      }),
    );
  });
});

describe('creditOutcome', () => {
  const refused = (code: CreditRefusalCode) => ({ outcome: 'refuse' as const, code });
  it('passes a passing decision whatever the action and policy', () => {
    for (const action of ['confirm', 'fulfil', 'amend', 'approve'] as const) {
      expect(creditOutcome({ outcome: 'pass', code: null }, { action, onBreach: 'hold', amountMinor: 1 })).toBe('pass');
    }
  });
  it('holds a failed confirmation under the hold policy, except for a missing rate', () => {
    for (const code of ['CREDIT_LIMIT_EXCEEDED', 'CREDIT_HOLD', 'OVERDUE_INVOICES'] as const) {
      expect(creditOutcome(refused(code), { action: 'confirm', onBreach: 'hold', amountMinor: 1 })).toBe('hold');
      expect(creditOutcome(refused(code), { action: 'confirm', onBreach: 'refuse', amountMinor: 1 })).toBe('refuse');
    }
    expect(creditOutcome(refused('NO_EXCHANGE_RATE'), { action: 'confirm', onBreach: 'hold', amountMinor: 1 })).toBe('refuse');
  });
  it('refuses a failed delivery or amendment under either policy: a running order cannot wait on hold', () => {
    for (const action of ['fulfil', 'amend'] as const) expect(creditOutcome(refused('CREDIT_LIMIT_EXCEEDED'), { action, onBreach: 'hold', amountMinor: 1 })).toBe('refuse');
  });
  it('lets an approval of at least the amount through limits and overdue invoices, never through a hold or a missing rate', () => {
    expect(creditOutcome(refused('CREDIT_LIMIT_EXCEEDED'), { action: 'approve', onBreach: 'hold', amountMinor: 500, approvedMinor: 500 })).toBe('approved');
    expect(creditOutcome(refused('OVERDUE_INVOICES'), { action: 'approve', onBreach: 'refuse', amountMinor: 100, approvedMinor: 500 })).toBe('approved');
    expect(creditOutcome(refused('CREDIT_LIMIT_EXCEEDED'), { action: 'approve', onBreach: 'hold', amountMinor: 501, approvedMinor: 500 })).toBe('refuse');
    expect(creditOutcome(refused('CREDIT_LIMIT_EXCEEDED'), { action: 'approve', onBreach: 'hold', amountMinor: 1 })).toBe('refuse');
    expect(creditOutcome(refused('CREDIT_HOLD'), { action: 'approve', onBreach: 'hold', amountMinor: 1, approvedMinor: 500 })).toBe('refuse');
    expect(creditOutcome(refused('NO_EXCHANGE_RATE'), { action: 'approve', onBreach: 'hold', amountMinor: 1, approvedMinor: 500 })).toBe('refuse');
  });
});

describe('approvalExpiresAt', () => {
  it('is the end of the Nth local day after the day the request was opened, across a month end and in the tenant’s zone', () => {
    expect(approvalExpiresAt(new Date('2026-01-30T10:00:00Z'), 'Asia/Shanghai', 2).toISOString()).toBe('2026-02-01T16:00:00.000Z');
    // 23:30 UTC on 31 January is already 1 February in Shanghai: the count starts a day later.
    expect(approvalExpiresAt(new Date('2026-01-31T23:30:00Z'), 'Asia/Shanghai', 1).toISOString()).toBe('2026-02-02T16:00:00.000Z');
    expect(approvalExpiresAt(new Date('2026-02-28T12:00:00Z'), 'UTC', 1).toISOString()).toBe('2026-03-02T00:00:00.000Z');
  });
  it('refuses fewer than one day', () => {
    expect(() => approvalExpiresAt(new Date('2026-01-30T10:00:00Z'), 'UTC', 0)).toThrow(/at least 1/);
  });
});
