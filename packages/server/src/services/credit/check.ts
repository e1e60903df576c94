import { checkCredit, creditOutcome, CrmError, type CreditAction, moneyText, newId, step, type CreditDecision, type CreditPolicy, type ExplanationStep, type VisibilityScope } from '@crmkit/core';
import type { ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import type { SqliteWrite } from '../../db/sqlite-writer.js';
import { readCreditFacts, readPath, readPolicy, readVisibleAmong, runOnDriver, runOnTx, type CreditFacts, type Reading } from './facts.js';

// The credit check of a decision made in crmkit (DOMAIN §6, docs/concepts/credit.md): confirming
// an order, delivering under the fulfilment policy, amending upward, approving a held order. It
// runs inside the decision's own transaction, so the check and the reservation commit together and
// concurrent decisions cannot together exceed a limit. On PostgreSQL the decision holds the
// hierarchy lock shared (lockForExposure) and takes one advisory lock per account whose limit it
// checks, root first, before reading exposure: decisions under the same limit run one at a time,
// two paths never wait on each other in opposite orders, and paths without limits take no lock.
// Limits and holds change only under the hierarchy lock held exclusively, so the set of limits a
// decision locked cannot grow under it. SQLite runs one write transaction at a time.


export interface CreditRequest {
  action: CreditAction;
  orderId: string;
  billToId: string;
  currency: string;
  /** What the decision adds to the order's exposure (the whole open amount at confirmation, the increase otherwise), ≥ 0. */
  amountMinor: number;
  /** `approve`: the amount the approval lets through over the limits (the held order's total). */
  approvedMinor?: number;
}

/** The outcome of a check that did not refuse (a refusal throws). */
export interface CreditVerdict {
  kind: 'pass' | 'hold';
  decision: CreditDecision;
  /** Whether anything on the path could refuse (a limit, a hold, the overdue policy): only such decisions are recorded. */
  checked: boolean;
  policy: CreditPolicy;
  timeZone: string;
  /** The path, the bill-to account first. */
  path: string[];
  /** Whether the caller may see an account of the path (answers name only those). */
  visible: (accountId: string) => boolean;
}

type Known = { policy: CreditPolicy; timeZone: string };

function* creditCheck(ctx: ServiceContext, scope: VisibilityScope, req: CreditRequest, lock: boolean, policy?: Known): Reading<CreditVerdict> {
  const { tenantId } = ctx.actor;
  const at = ctx.clock.now();
  const known = policy ?? (yield* readPolicy(tenantId));
  const path = yield* readPath(tenantId, req.billToId);
  const facts = yield* readCreditFacts(tenantId, req.billToId, at, req.currency, known, path, { lockChecked: lock });
  const visible = yield* readVisibleAmong(tenantId, path, scope);
  return decide(facts, req, path, visible);
}

function decide(facts: CreditFacts, req: CreditRequest, path: string[], visible: (id: string) => boolean): CreditVerdict {
  const { policy } = facts;
  const decision = checkCredit({
    at: facts.at, path: facts.path, exposures: facts.exposures, rates: facts.rates, overrunBps: policy.overrunBps,
    orderAmountMinor: req.amountMinor, orderCurrency: req.currency, overdue: facts.overdue, maxOverdueDays: policy.maxOverdueDays,
  });
  const checked = facts.path.some((n, i) => (i === 0 && n.ownLimit) || n.groupLimit || n.hold) || policy.maxOverdueDays !== null;
  const verdict = { decision, checked, policy, timeZone: facts.timeZone, path, visible };
  const outcome = creditOutcome(decision, { action: req.action, onBreach: policy.onBreach, amountMinor: req.amountMinor, approvedMinor: req.approvedMinor });
  if (outcome === 'pass') return { ...verdict, kind: 'pass' };
  if (outcome === 'approved') {
    const allowed = step('credit-approval', 'applied', `the approval of ${moneyText(req.approvedMinor!, req.currency)} lets the order through: ${describeFindings(decision)}`, req.billToId);
    return { ...verdict, kind: 'pass', decision: { ...decision, outcome: 'pass', code: null, explanation: [...decision.explanation, allowed] } };
  }
  if (outcome === 'hold') {
    const held = step('credit-policy', 'applied', 'the tenant holds orders that fail the check for an approval instead of refusing them', req.billToId);
    return { ...verdict, kind: 'hold', decision: { ...decision, explanation: [...decision.explanation, held] } };
  }
  throw refusal(decision, req, visible);
}

function describeFindings(d: CreditDecision): string {
  const parts = [
    ...d.breaches.map((b) => `${b.accountId} ${b.scope} limit short by ${moneyText(b.shortfallMinor, b.currency)}`),
    ...d.overdue.map((o) => `invoice ${o.invoiceId} ${o.daysPastDue} days past due`),
  ];
  return parts.join('; ');
}

/** A refusal's error carries the decision, to be recorded once its transaction has rolled back (see {@link recordRefusal}). */
const refusals = new WeakMap<CrmError, { decision: CreditDecision; req: CreditRequest }>();

/**
 * The answer to a refused check: CREDIT_LIMIT_EXCEEDED, CREDIT_HOLD or OVERDUE_INVOICES with the
 * findings in `details` (each breached account and limit, its exposure, the order's amount, the
 * shortfall), or PRECONDITION_FAILED (`details.reason: 'NO_EXCHANGE_RATE'`) when a rate is
 * missing. Accounts the caller may not see are named `null` and "an account you may not see".
 */
function refusal(decision: CreditDecision, req: CreditRequest, visible: (id: string) => boolean): CrmError {
  const shown = redactDecision(decision, visible);
  const verdict = shown.explanation.at(-1)?.message ?? 'the credit check refused';
  const base = { orderId: req.orderId, action: req.action, amountMinor: req.amountMinor, currency: req.currency };
  const error =
    shown.code === 'NO_EXCHANGE_RATE'
      ? new CrmError('PRECONDITION_FAILED', `order ${req.orderId}: ${verdict.replace(/^the order /, '')}; set one with fx.setRate`, { details: { ...base, reason: 'NO_EXCHANGE_RATE', missingRates: shown.missingRates, decision: shown } })
      : new CrmError(shown.code!, `order ${req.orderId}: ${verdict.replace(/^the order /, '')}`, {
          details: { ...base, breaches: shown.breaches, holds: shown.holds, overdue: shown.overdue, decision: shown },
        });
  refusals.set(error, { decision, req });
  return error;
}

const HIDDEN = 'an account you may not see';

/** The decision as the caller may see it: ids of accounts they may not see replaced (null in fields, words in messages). */
export function redactDecision(d: CreditDecision, visible: (id: string) => boolean): CreditDecision {
  const hide = <T extends { accountId: string | null }>(x: T): T => (x.accountId && !visible(x.accountId) ? { ...x, accountId: null } : x);
  const hidden = new Set<string>();
  for (const x of [...d.breaches, ...d.holds, ...d.overdue, ...d.limits]) if (x.accountId && !visible(x.accountId)) hidden.add(x.accountId);
  for (const s of d.explanation) if (s.subjectId && s.subjectId.startsWith('acc_') && !visible(s.subjectId)) hidden.add(s.subjectId);
  if (hidden.size === 0) return d;
  return {
    ...d,
    breaches: d.breaches.map(hide),
    holds: d.holds.map(hide),
    overdue: d.overdue.map((o) => (o.accountId && hidden.has(o.accountId) ? { ...o, accountId: null, invoiceId: null } : o)),
    limits: d.limits.map(hide),
    explanation: redactSteps(d.explanation, hidden),
  };
}

/** Explanation steps with the hidden ids (and the invoices of hidden accounts) out of their words. */
export function redactSteps(steps: readonly ExplanationStep[], hidden: ReadonlySet<string>): ExplanationStep[] {
  if (hidden.size === 0) return [...steps];
  return steps.map((s) => {
    let message = s.message;
    for (const id of hidden) message = message.split(id).join(HIDDEN);
    message = message.replace(/invoice inv_[0-9A-Z]+ of an account you may not see/g, `an invoice of ${HIDDEN}`);
    return { ...s, message, subjectId: s.subjectId && hidden.has(s.subjectId) ? null : s.subjectId };
  });
}

/** Runs the check in a Prisma transaction (either engine; on PostgreSQL it takes the path's credit locks first). */
export function checkCreditOnTx(tx: Tx, ctx: ServiceContext, scope: VisibilityScope, req: CreditRequest, policy?: Known): Promise<CreditVerdict> {
  return runOnTx(tx, ctx, creditCheck(ctx, scope, req, ctx.provider === 'postgresql', policy));
}

/** The tenant's credit policy and time zone, in the caller's transaction. */
export const creditPolicyOnTx = (tx: Tx, ctx: ServiceContext): Promise<Known> => runOnTx(tx, ctx, readPolicy(ctx.actor.tenantId));
/** {@link creditPolicyOnTx} in a driver transaction. */
export const creditPolicyOnDriver = (w: SqliteWrite, ctx: ServiceContext): Known => runOnDriver(w, readPolicy(ctx.actor.tenantId));

/** Runs the check in SQLite's driver transaction (nothing to lock: one write transaction at a time). */
export function checkCreditOnDriver(w: SqliteWrite, ctx: ServiceContext, scope: VisibilityScope, req: CreditRequest, policy?: Known): CreditVerdict {
  return runOnDriver(w, creditCheck(ctx, scope, req, false, policy));
}

// ── Decision records ────────────────────────────────────────────────────────────────────────────

export type DecisionKind = 'pass' | 'refuse' | 'hold' | 'approve' | 'reject' | 'expire' | 'breach';

export interface DecisionRecordInput {
  kind: DecisionKind;
  accountId: string;
  orderId: string | null;
  decision: CreditDecision | null;
  explanation: readonly ExplanationStep[];
}

function decisionRow(ctx: ServiceContext, r: DecisionRecordInput) {
  return {
    id: newId('cdc', ctx.clock),
    tenantId: ctx.actor.tenantId,
    kind: r.kind,
    accountId: r.accountId,
    orderId: r.orderId,
    code: r.decision?.code ?? null,
    at: ctx.clock.now(),
    by: ctx.actor.id,
    decision: r.decision ? JSON.stringify(r.decision) : null,
    explanation: JSON.stringify(r.explanation),
  };
}

/** Records a decision in the caller's transaction; returns its id. */
export async function recordDecision(tx: Tx, ctx: ServiceContext, r: DecisionRecordInput): Promise<string> {
  const row = decisionRow(ctx, r);
  await tx.creditDecision.create({ data: row });
  return row.id;
}

/** {@link recordDecision} in a driver transaction. */
export function recordDecisionOn(w: SqliteWrite, ctx: ServiceContext, r: DecisionRecordInput): string {
  const row = decisionRow(ctx, r);
  w.run(
    'INSERT INTO "CreditDecision" ("id", "tenantId", "kind", "accountId", "orderId", "code", "at", "by", "decision", "explanation") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    row.id, row.tenantId, row.kind, row.accountId, row.orderId, row.code, row.at, row.by, row.decision, row.explanation,
  );
  return row.id;
}

/**
 * Records a refused check after its transaction rolled back (so `credit.status` shows the last
 * refusal and why), then rethrows. Anything else is rethrown untouched.
 */
export async function recordRefusal(ctx: ServiceContext, error: unknown): Promise<never> {
  const found = error instanceof CrmError ? refusals.get(error) : undefined;
  if (found) {
    try {
      await ctx.db.creditDecision.create({ data: decisionRow(ctx, { kind: 'refuse', accountId: found.req.billToId, orderId: found.req.orderId, decision: found.decision, explanation: found.decision.explanation }) });
    } catch (recordError) {
      ctx.logger.warn({ err: recordError }, 'crmkit: could not record a credit refusal');
    }
  }
  throw error;
}

/** The event data of a decision: the exposure of each limit checked after it. */
export function creditEventData(v: CreditVerdict, decisionId: string | null) {
  return {
    decisionId,
    outcome: v.kind,
    limits: v.decision.limits.map((l) => ({
      accountId: l.accountId,
      scope: l.scope,
      currency: l.currency,
      limitMinor: l.limitMinor,
      allowedMinor: l.allowedMinor,
      exposureBeforeMinor: l.exposureMinor,
      exposureAfterMinor: l.exposureMinor === null || l.orderMinor === null ? null : l.exposureMinor + (v.kind === 'pass' ? l.orderMinor : 0),
    })),
  };
}
