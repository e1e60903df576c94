import { addDays, localDateOf, startOfNextLocalDay } from '../calendar.js';
import { CrmError } from '../errors.js';
import { step, type ExplanationStep } from '../explanation.js';
import type { ExposureFigures } from '../exposure/exposure.rules.js';
import { currencyCodeSchema, moneyText, type CurrencyCode } from '../money.js';
import type {
  CreditBreach, CreditDecision, CreditExposurePart, CreditHoldFinding, CreditLimit, CreditLimitCheck, CreditLimitStatus, CreditRefusalCode, CreditScope, CreditStatus,
  MissingRate, OverdueFinding,
} from './credit.schema.js';
import { convertMinor, rateFor, safeMinor, type ExchangeRateFact, type RateInForce } from './fx.rules.js';

/**
 * A credit hold on an account: no new orders for it or its subtree until lifted.
 *
 * @example const hold: CreditHold = { reason: 'disputed rebate', by: 'u_finance', at: new Date('2026-03-10T08:00:00Z') };
 */
export interface CreditHold {
  reason: string;
  /** Who put it on hold. */
  by: string;
  at: Date;
}

/**
 * One account of the path from the bill-to account up to the root, with its limits and hold.
 *
 * @example const hq: PathNode = { accountId: hqId, groupLimit: { amountMinor: 1_000_000_00, currency: 'CNY' }, hold: null };
 */
export interface PathNode {
  accountId: string;
  ownLimit?: CreditLimit | null;
  groupLimit?: CreditLimit | null;
  hold?: CreditHold | null;
}

/**
 * An account's exposure figures per currency: `own` (its own documents) and `group` (its whole
 * subtree, itself included). A missing account, scope or currency counts as nothing.
 *
 * @example const a: AccountExposureFacts = { own: { CNY: { ordersOpenMinor: 120_000_00, invoicesOpenMinor: 40_000_00, onAccountCreditMinor: 10_000_00 } } };
 */
export interface AccountExposureFacts {
  own?: Readonly<Record<string, ExposureFigures>>;
  group?: Readonly<Record<string, ExposureFigures>>;
}

/**
 * An open invoice of an account of the path and how many local days it is past due (see `daysPastDue`).
 *
 * @example const inv: OverdueInvoiceFact = { accountId: storeId, invoiceId: 'inv_1', daysPastDue: 45 };
 */
export interface OverdueInvoiceFact {
  accountId: string;
  invoiceId: string;
  daysPastDue: number;
}

/**
 * What {@link availableOf} needs, loaded by the caller as of `at`.
 *
 * @example const f: CreditStatusFacts = { at: new Date(), path: [{ accountId: storeId }, hq], exposures: {}, rates: [], overrunBps: 0 };
 */
export interface CreditStatusFacts {
  /** The instant of the check: exchange rates are those in force then. */
  at: Date;
  /** The account first, then each ancestor up to the root. */
  path: readonly PathNode[];
  /** Figures per account id (the accounts of the path; others are ignored). */
  exposures: Readonly<Record<string, AccountExposureFacts | undefined>>;
  /** The tenant's exchange rates; the check picks those in force at `at`. */
  rates: readonly ExchangeRateFact[];
  /** Allowed overrun of every limit in basis points (0: none, 500: 5 %). */
  overrunBps: number;
}

/**
 * What {@link checkCredit} needs: the status facts plus the order and the tenant's overdue policy.
 *
 * @example const f: CreditCheckFacts = { ...statusFacts, orderAmountMinor: 60_000_00, orderCurrency: 'CNY', overdue: [], maxOverdueDays: 30 };
 */
export interface CreditCheckFacts extends CreditStatusFacts {
  /** The amount being confirmed (for an upward amendment, the increase), in minor units of `orderCurrency`. */
  orderAmountMinor: number;
  orderCurrency: CurrencyCode;
  /** Open invoices of the path's accounts with their days past due (only needed when `maxOverdueDays` is set). */
  overdue?: readonly OverdueInvoiceFact[];
  /** Refuse while an invoice of the path is overdue more than this many days; null or absent: never. */
  maxOverdueDays?: number | null;
}

const money = moneyText;

function rateText(r: RateInForce): string {
  const since = r.validFrom ? ` in force since ${r.validFrom.toISOString()}` : '';
  return r.inverse ? `1 / ${r.quoted} (the inverse of the ${r.to}→${r.from} rate ${r.quoted}${since})` : `${r.from}→${r.to} ${r.quoted}${since}`;
}

function checkedDate(value: Date, path: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw CrmError.validation(path, 'expected a valid Date');
  return value;
}

function checkedLimit(limit: CreditLimit, path: string): CreditLimit {
  if (!Number.isSafeInteger(limit.amountMinor) || limit.amountMinor < 0) throw CrmError.validation(`${path}.amountMinor`, 'a credit limit must be a non-negative safe integer of minor units');
  if (!currencyCodeSchema.safeParse(limit.currency).success) throw CrmError.validation(`${path}.currency`, 'expected an ISO 4217 currency code');
  return limit;
}

function checkedStatusFacts(facts: CreditStatusFacts): void {
  checkedDate(facts.at, 'at');
  if (!Number.isSafeInteger(facts.overrunBps) || facts.overrunBps < 0) throw CrmError.validation('overrunBps', 'the overrun must be a non-negative whole number of basis points');
  if (facts.path.length === 0) throw CrmError.validation('path', 'the path must start with the bill-to account');
  const seen = new Set<string>();
  facts.path.forEach((node, i) => {
    if (seen.has(node.accountId)) throw new CrmError('VALIDATION', `${node.accountId} appears twice on the path: a cycle?`, { fieldErrors: { path: ['an account appears twice'] }, details: { accountId: node.accountId } });
    seen.add(node.accountId);
    if (node.ownLimit) checkedLimit(node.ownLimit, `path.${i}.ownLimit`);
    if (node.groupLimit) checkedLimit(node.groupLimit, `path.${i}.groupLimit`);
    if (node.hold) checkedDate(node.hold.at, `path.${i}.hold.at`);
  });
}

/** `⌊limit × (10000 + overrunBps) / 10000⌋`: the overrun never rounds in the account's favour. */
function allowedOf(limitMinor: number, overrunBps: number): number {
  return safeMinor((BigInt(limitMinor) * BigInt(10_000 + overrunBps)) / 10_000n, 'the allowed amount of a limit');
}

/** `orders + invoices − credit` of one currency, exactly; VALIDATION when a figure or the result is not a safe integer. */
function netExposure(f: ExposureFigures, where: string): bigint {
  const parts = [f.ordersOpenMinor, f.invoicesOpenMinor, f.onAccountCreditMinor];
  if (!parts.every(Number.isSafeInteger)) throw CrmError.validation(where, 'exposure figures must be safe integers of minor units');
  return BigInt(f.ordersOpenMinor) + BigInt(f.invoicesOpenMinor) - BigInt(f.onAccountCreditMinor);
}

/** Conversions into one currency at one instant, each pair's rate looked up once; missing pairs collected in first-seen order. */
class Converter {
  private readonly found = new Map<string, RateInForce | null>();
  readonly missing: MissingRate[] = [];

  constructor(private readonly rates: readonly ExchangeRateFact[], private readonly at: Date) {}

  /** The amount in `to` (rounded up) and the rate used; null when no rate is in force. Zero and same-currency amounts need no rate. */
  convert(amountMinor: number, from: CurrencyCode, to: CurrencyCode): { minor: number; rate: RateInForce | null } | null {
    if (from === to || amountMinor === 0) return { minor: amountMinor === 0 ? 0 : amountMinor, rate: null };
    const key = `${from}>${to}`;
    if (!this.found.has(key)) {
      const rate = rateFor(this.rates, from, to, this.at);
      this.found.set(key, rate);
      if (!rate) this.missing.push({ from, to });
    }
    const rate = this.found.get(key)!;
    return rate ? { minor: convertMinor(amountMinor, from, to, rate), rate } : null;
  }

  noRate(from: CurrencyCode, to: CurrencyCode): string {
    return `no rate from ${from} to ${to} in force at ${this.at.toISOString()}`;
  }
}

interface LimitEvaluation {
  status: CreditLimitStatus;
  /** The rates this limit could not find. */
  missing: MissingRate[];
  steps: ExplanationStep[];
}

/** A limit's exposure (all currencies converted into its currency, each part rounded up) and what is available, with the steps saying how. */
function evaluateLimit(node: PathNode, scope: CreditScope, limit: CreditLimit, facts: CreditStatusFacts, fx: Converter): LimitEvaluation {
  const figures = facts.exposures[node.accountId]?.[scope] ?? {};
  const parts: CreditExposurePart[] = [];
  const missing: MissingRate[] = [];
  const terms: string[] = [];
  let total = 0n;
  for (const currency of Object.keys(figures).sort()) {
    const net = safeMinor(netExposure(figures[currency]!, `exposures.${node.accountId}.${scope}.${currency}`), `${node.accountId}'s ${scope} exposure in ${currency}`);
    if (net === 0) continue;
    const converted = fx.convert(net, currency, limit.currency);
    if (!converted) {
      missing.push({ from: currency, to: limit.currency });
      parts.push({ currency, exposureMinor: net, convertedMinor: null, rate: null });
      terms.push(`${money(net, currency)} (cannot be converted: ${fx.noRate(currency, limit.currency)})`);
      continue;
    }
    const { minor, rate } = converted;
    total += BigInt(minor);
    parts.push({ currency, exposureMinor: net, convertedMinor: minor, rate: rate && { quoted: rate.quoted, inverse: rate.inverse, validFrom: rate.validFrom!.toISOString() } });
    terms.push(rate ? `${money(net, currency)} → ${money(minor, limit.currency)} at ${rateText(rate)}` : money(net, currency));
  }
  const allowedMinor = allowedOf(limit.amountMinor, facts.overrunBps);
  const exposureMinor = missing.length ? null : safeMinor(total, `${node.accountId}'s ${scope} exposure`);
  const availableMinor = exposureMinor === null ? null : safeMinor(BigInt(allowedMinor) - BigInt(exposureMinor), `the amount available under ${node.accountId}'s ${scope} limit`);
  const summary = terms.length === 0 ? 'nothing' : terms.join(' + ');
  const steps = [
    step(
      'credit-exposure',
      missing.length ? 'skipped' : 'applied',
      `${node.accountId} ${scope} exposure: ${summary}${exposureMinor === null ? '' : ` = ${money(exposureMinor, limit.currency)}`}`,
      node.accountId,
    ),
  ];
  return {
    status: { accountId: node.accountId, scope, currency: limit.currency, limitMinor: limit.amountMinor, allowedMinor, exposureMinor, availableMinor, parts },
    missing,
    steps,
  };
}

function limitText(s: CreditLimitStatus, overrunBps: number): string {
  const allowed = overrunBps === 0 ? '' : ` (${money(s.allowedMinor, s.currency)} allowed with a ${overrunBps} bps overrun)`;
  return `${s.accountId} ${s.scope} limit ${money(s.limitMinor, s.currency)}${allowed}`;
}

/** Every limit slot on the path in order: each account's own, then its group, from the bill-to account up. */
function* limitsOnPath(path: readonly PathNode[]): Generator<{ node: PathNode; scope: CreditScope; limit: CreditLimit | null; index: number }> {
  for (const [index, node] of path.entries()) {
    yield { node, scope: 'own', limit: node.ownLimit ?? null, index };
    yield { node, scope: 'group', limit: node.groupLimit ?? null, index };
  }
}

/**
 * The credit check of confirming an order (DOMAIN §6): the order adds to the bill-to account's
 * own exposure and to the group exposure of it and every ancestor. Checked, in this order of
 * precedence for `code`:
 *
 * 1. every conversion needed has a rate in force at `at` (else `NO_EXCHANGE_RATE`: the check refuses rather than guesses);
 * 2. no account of the path is on credit hold (else `CREDIT_HOLD`);
 * 3. when `maxOverdueDays` is a number, no invoice of the path's accounts is more than that many days past due (else `OVERDUE_INVOICES`);
 * 4. the bill-to account's own limit and every group limit on the path hold
 *    `exposure + order ≤ ⌊limit × (10000 + overrunBps) / 10000⌋` (else `CREDIT_LIMIT_EXCEEDED`).
 *
 * Exposure is `orders + invoices − on-account credit` per currency, each currency's part converted
 * into the limit's currency at the rate in force and rounded up; it keeps its sign, so credit on
 * account makes more available. An ancestor's own limit is not checked: the order does not add to
 * its own exposure (see {@link availableOf} for its status). All findings are reported, not only
 * the first; every limit gets explanation steps (its exposure with conversions, the order
 * converted, and `matched` when it refuses, `skipped` when the order fits or it could not be
 * checked). VALIDATION for malformed facts (an empty path, an account twice, a negative limit,
 * amounts outside the safe integer range).
 *
 * @example
 * checkCredit({
 *   at, orderAmountMinor: 60_000_00, orderCurrency: 'CNY', rates: [], overrunBps: 0,
 *   path: [{ accountId: storeA, ownLimit: { amountMinor: 200_000_00, currency: 'CNY' } }, { accountId: hq }],
 *   exposures: { [storeA]: { own: { CNY: { ordersOpenMinor: 150_000_00, invoicesOpenMinor: 0, onAccountCreditMinor: 0 } } } },
 * })
 * // { outcome: 'refuse', code: 'CREDIT_LIMIT_EXCEEDED', breaches: [{ accountId: storeA, scope: 'own', …, shortfallMinor: 10_000_00 }], … }
 */
export function checkCredit(facts: CreditCheckFacts): CreditDecision {
  checkedStatusFacts(facts);
  if (!Number.isSafeInteger(facts.orderAmountMinor)) throw CrmError.validation('orderAmountMinor', 'the order amount must be a safe integer of minor units');
  if (!currencyCodeSchema.safeParse(facts.orderCurrency).success) throw CrmError.validation('orderCurrency', 'expected an ISO 4217 currency code');
  const maxOverdueDays = facts.maxOverdueDays ?? null;
  if (maxOverdueDays !== null && (!Number.isSafeInteger(maxOverdueDays) || maxOverdueDays < 0)) throw CrmError.validation('maxOverdueDays', 'expected a non-negative whole number of days');

  const billTo = facts.path[0]!.accountId;
  const order = money(facts.orderAmountMinor, facts.orderCurrency);
  const explanation: ExplanationStep[] = [];

  const holds: CreditHoldFinding[] = [];
  for (const node of facts.path) {
    if (!node.hold) continue;
    holds.push({ accountId: node.accountId, reason: node.hold.reason, by: node.hold.by, at: node.hold.at.toISOString() });
    const whose = node.accountId === billTo ? '' : ` (an ancestor of ${billTo})`;
    explanation.push(step('credit-hold', 'matched', `${node.accountId}${whose} is on credit hold since ${node.hold.at.toISOString()} by ${node.hold.by}: ${node.hold.reason}`, node.accountId));
  }
  if (holds.length === 0) explanation.push(step('credit-hold', 'skipped', `no account from ${billTo} up to the root is on credit hold`, billTo));

  const overdue: OverdueFinding[] = [];
  if (maxOverdueDays === null) {
    explanation.push(step('credit-overdue', 'skipped', 'the tenant does not block orders for overdue invoices', billTo));
  } else {
    const onPath = new Set(facts.path.map((n) => n.accountId));
    for (const [i, inv] of (facts.overdue ?? []).entries()) {
      if (!Number.isSafeInteger(inv.daysPastDue)) throw CrmError.validation(`overdue.${i}.daysPastDue`, 'expected a whole number of days');
      if (!onPath.has(inv.accountId) || inv.daysPastDue <= maxOverdueDays) continue;
      overdue.push({ accountId: inv.accountId, invoiceId: inv.invoiceId, daysPastDue: inv.daysPastDue });
      explanation.push(step('credit-overdue', 'matched', `invoice ${inv.invoiceId} of ${inv.accountId} is ${inv.daysPastDue} days past due; the tenant blocks orders beyond ${maxOverdueDays}`, inv.accountId));
    }
    if (overdue.length === 0) explanation.push(step('credit-overdue', 'skipped', `no invoice from ${billTo} up to the root is more than ${maxOverdueDays} days past due`, billTo));
  }

  const fx = new Converter(facts.rates, facts.at);
  const limits: CreditLimitCheck[] = [];
  const breaches: CreditBreach[] = [];
  for (const { node, scope, limit, index } of limitsOnPath(facts.path)) {
    if (scope === 'own' && index > 0) {
      if (limit) explanation.push(step('credit-own-limit', 'skipped', `${node.accountId} own limit is not checked: the order is billed to ${billTo} and adds only to ${node.accountId}'s group exposure`, node.accountId));
      continue;
    }
    const rule = `credit-${scope}-limit`;
    if (!limit) {
      explanation.push(step(rule, 'skipped', `${node.accountId} has no ${scope} limit`, node.accountId));
      continue;
    }
    const { status, missing, steps } = evaluateLimit(node, scope, limit, facts, fx);
    explanation.push(...steps);
    const converted = fx.convert(facts.orderAmountMinor, facts.orderCurrency, limit.currency);
    if (converted) {
      const via = converted.rate ? ` → ${money(converted.minor, limit.currency)} at ${rateText(converted.rate)}` : '';
      explanation.push(step('credit-order', 'applied', `the order ${order}${via} adds to ${node.accountId}'s ${scope} exposure`, node.accountId));
    } else {
      missing.push({ from: facts.orderCurrency, to: limit.currency });
      explanation.push(step('credit-order', 'skipped', `the order ${order} cannot be converted to ${limit.currency}: ${fx.noRate(facts.orderCurrency, limit.currency)}`, node.accountId));
    }
    const head = limitText(status, facts.overrunBps);
    if (status.exposureMinor === null || status.availableMinor === null || !converted) {
      limits.push({ ...status, orderMinor: converted?.minor ?? null, result: 'no-rate' });
      const pairs = [...new Set(missing.map((m) => `${m.from} to ${m.to}`))].join(', ');
      explanation.push(step(rule, 'skipped', `${head} cannot be checked: no rate from ${pairs} in force at ${facts.at.toISOString()}`, node.accountId));
      continue;
    }
    const orderMinor = converted.minor;
    const after = BigInt(status.exposureMinor) + BigInt(orderMinor);
    const shortfall = after - BigInt(status.allowedMinor);
    const sums = `exposure ${money(status.exposureMinor, status.currency)} + order ${money(orderMinor, status.currency)} = ${money(after, status.currency)}`;
    if (shortfall > 0n) {
      const shortfallMinor = safeMinor(shortfall, 'a shortfall');
      limits.push({ ...status, orderMinor, result: 'exceeded' });
      breaches.push({ accountId: node.accountId, scope, limitMinor: status.limitMinor, allowedMinor: status.allowedMinor, currency: status.currency, exposureMinor: status.exposureMinor, orderMinor, shortfallMinor });
      explanation.push(step(rule, 'matched', `${head}: ${sums} exceeds it by ${money(shortfallMinor, status.currency)} (available ${money(status.availableMinor, status.currency)})`, node.accountId));
    } else {
      limits.push({ ...status, orderMinor, result: 'fits' });
      explanation.push(step(rule, 'skipped', `${head}: ${sums} fits (available ${money(status.availableMinor, status.currency)})`, node.accountId));
    }
  }
  const missingRates = fx.missing;
  for (const m of missingRates) explanation.push(step('credit-exchange-rate', 'matched', `${fx.noRate(m.from, m.to)}: the check refuses rather than guess`, billTo));

  const code: CreditRefusalCode | null = missingRates.length
    ? 'NO_EXCHANGE_RATE'
    : holds.length
      ? 'CREDIT_HOLD'
      : overdue.length
        ? 'OVERDUE_INVOICES'
        : breaches.length
          ? 'CREDIT_LIMIT_EXCEEDED'
          : null;
  const verdict = code === null ? `passes: ${order} for ${billTo} is within every limit on the path` : `refused (${code}): ${refusalText(code, { breaches, holds, overdue, missingRates })}`;
  explanation.push(step('credit-decision', 'applied', `the order ${verdict}`, billTo));
  return { outcome: code === null ? 'pass' : 'refuse', code, breaches, holds, overdue, missingRates, limits, explanation };
}

function refusalText(code: CreditRefusalCode, d: Pick<CreditDecision, 'breaches' | 'holds' | 'overdue' | 'missingRates'>): string {
  switch (code) {
    case 'NO_EXCHANGE_RATE':
      return d.missingRates.map((m) => `no rate from ${m.from} to ${m.to}`).join('; ');
    case 'CREDIT_HOLD':
      return d.holds.map((h) => `${h.accountId} is on credit hold (${h.reason})`).join('; ');
    case 'OVERDUE_INVOICES':
      return d.overdue.map((o) => `invoice ${o.invoiceId} of ${o.accountId} is ${o.daysPastDue} days past due`).join('; ');
    case 'CREDIT_LIMIT_EXCEEDED':
      return d.breaches
        .map((b) => `${b.accountId} ${b.scope} limit ${money(b.limitMinor, b.currency)}: exposure ${money(b.exposureMinor, b.currency)} + order ${money(b.orderMinor, b.currency)}, short by ${money(b.shortfallMinor, b.currency)}`)
        .join('; ');
  }
}

/**
 * Every limit on the path (own and group of each account, from the account up to the root) with
 * its exposure and what is still available (`allowed − exposure`, negative when already over), no
 * order counted: what `credit.status` shows. A limit whose exposure has a currency without a rate
 * in force has null exposure and availability, and the pair is listed in `missingRates`.
 *
 * @example
 * availableOf({ at, path: [{ accountId: storeA, ownLimit: { amountMinor: 200_000_00, currency: 'CNY' } }], exposures, rates: [], overrunBps: 0 })
 * // { limits: [{ accountId: storeA, scope: 'own', …, exposureMinor: 150_000_00, availableMinor: 50_000_00 }], missingRates: [], explanation: [...] }
 */
export function availableOf(facts: CreditStatusFacts): CreditStatus {
  checkedStatusFacts(facts);
  const fx = new Converter(facts.rates, facts.at);
  const limits: CreditLimitStatus[] = [];
  const explanation: ExplanationStep[] = [];
  for (const { node, scope, limit } of limitsOnPath(facts.path)) {
    const rule = `credit-${scope}-limit`;
    if (!limit) {
      explanation.push(step(rule, 'skipped', `${node.accountId} has no ${scope} limit`, node.accountId));
      continue;
    }
    const { status, steps } = evaluateLimit(node, scope, limit, facts, fx);
    limits.push(status);
    explanation.push(...steps);
    const head = limitText(status, facts.overrunBps);
    explanation.push(
      status.availableMinor === null
        ? step(rule, 'skipped', `${head}: available unknown without the missing rates`, node.accountId)
        : step(rule, 'applied', `${head}: available ${money(status.availableMinor, status.currency)}`, node.accountId),
    );
  }
  return { limits, missingRates: fx.missing, explanation };
}

/** The decisions crmkit checks: a confirmation, a delivery under the fulfilment policy, an upward amendment, an approval of a held order. */
export type CreditAction = 'confirm' | 'fulfil' | 'amend' | 'approve';

/** Codes an approval lets through: limits and overdue invoices. A credit hold is lifted by releasing it, a missing rate by setting one. */
const APPROVABLE: ReadonlySet<string> = new Set(['CREDIT_LIMIT_EXCEEDED', 'OVERDUE_INVOICES']);
/** Codes the `hold` policy turns into an approval request (at confirmation only: a running order cannot wait on hold). */
const HOLDABLE: ReadonlySet<string> = new Set(['CREDIT_LIMIT_EXCEEDED', 'CREDIT_HOLD', 'OVERDUE_INVOICES']);

/**
 * What a decision does with a check's answer (docs/concepts/credit.md): `pass`; `approved` when an
 * approval of at least the amount lets a limit or overdue finding through; `hold` when the tenant
 * holds failed confirmations for approval (not for a missing rate); otherwise `refuse`.
 *
 * @example creditOutcome(decision, { action: 'confirm', onBreach: 'hold', amountMinor: 500 }) // 'hold' when the decision exceeded a limit
 */
export function creditOutcome(
  decision: Pick<CreditDecision, 'outcome' | 'code'>,
  r: { action: CreditAction; onBreach: 'refuse' | 'hold'; amountMinor: number; approvedMinor?: number | undefined },
): 'pass' | 'approved' | 'hold' | 'refuse' {
  if (decision.outcome === 'pass') return 'pass';
  const code = decision.code ?? '';
  if (r.action === 'approve' && APPROVABLE.has(code) && r.approvedMinor !== undefined && r.amountMinor <= r.approvedMinor) return 'approved';
  if (r.action === 'confirm' && r.onBreach === 'hold' && HOLDABLE.has(code)) return 'hold';
  return 'refuse';
}

/**
 * When an approval request opened at `openedAt` expires: at the end of the `approvalDays`-th local
 * day after the day it was opened, in the tenant's zone (1: at the end of the next local day).
 *
 * @example approvalExpiresAt(new Date('2026-01-30T10:00:00Z'), 'Asia/Shanghai', 2) // 2026-02-01T16:00:00.000Z (00:00 on 2 February in Shanghai)
 */
export function approvalExpiresAt(openedAt: Date, timeZone: string, approvalDays: number): Date {
  if (!Number.isSafeInteger(approvalDays) || approvalDays < 1) throw CrmError.validation('approvalDays', 'expected a whole number of days, at least 1');
  return startOfNextLocalDay(addDays(localDateOf(openedAt, timeZone), approvalDays), timeZone);
}
