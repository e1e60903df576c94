import {
  availableOf, creditHoldInputSchema, creditReleaseInputSchema, creditStatusInputSchema, CrmError, moneyText, removeCreditLimitInputSchema, setCreditLimitInputSchema, step,
  type AccountCreditStatus, type CreditDecision, type CreditDecisionRecord, type CreditHoldInput, type CreditHoldRecord, type CreditLimitRecord, type CreditReleaseInput, type CreditStatusInput,
  type ExplanationStep, type RemoveCreditLimitInput, type SetCreditLimitInput,
} from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { lockHierarchy } from '../accounts/account-rows.js';
import { assertCanSeeAccount, loadVisibleAccount, visibilityOf } from '../visibility.js';
import { pendingApprovalsOf, CREDIT_EVENTS } from './approvals.js';
import { recordDecision, redactDecision, redactSteps } from './check.js';
import { readCreditFacts, readPath, runOnTx, visibleAmong, type CreditFacts } from './facts.js';

// Limits, holds and the status of an account's credit (docs/concepts/credit.md).

type LimitRow = { tenantId: string; accountId: string; scope: string; amountMinor: bigint; currency: string; setBy: string; setAt: Date; version: number };

const toLimit = (r: LimitRow): CreditLimitRecord => ({
  accountId: r.accountId, scope: r.scope as 'own' | 'group', amountMinor: Number(r.amountMinor), currency: r.currency, setBy: r.setBy, setAt: r.setAt.toISOString(), version: r.version,
});

/** The status of every limit on an account's path from facts read as of now. */
function statusOf(facts: CreditFacts) {
  return availableOf({ at: facts.at, path: facts.path, exposures: facts.exposures, rates: facts.rates, overrunBps: facts.policy.overrunBps });
}

/**
 * `credit.setLimit` (credit:manage): sets an account's own or group limit. It takes the hierarchy
 * lock exclusively (PostgreSQL) so no checked decision runs meanwhile: the exposure compared is
 * the one concurrent confirmations leave.
 * Lowering a limit below the exposure it covers refuses (CREDIT_LIMIT_EXCEEDED) unless `force: true`;
 * a forced one is audited with its reason and recorded as a breach. When part of the exposure is
 * in a currency without a rate in force, the limit is set (the comparison cannot be made; checks
 * against it refuse with NO_EXCHANGE_RATE until a rate exists).
 */
export async function setCreditLimit(ctx: ServiceContext, input: SetCreditLimitInput): Promise<CreditLimitRecord> {
  authorize(ctx.actor, 'credit:manage');
  const q = setCreditLimitInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  await assertCanSeeAccount(ctx, q.accountId);
  return inTransaction(ctx, async (tx) => {
    // Exclusive: no checked decision runs meanwhile, so the exposure compared is settled and no decision locks a set of limits that changes under it.
    await lockHierarchy(tx, ctx, 'change');
    const path = await runOnTx(tx, ctx, readPath(tenantId, q.accountId));
    const current = (await tx.creditLimit.findUnique({ where: { tenantId_accountId_scope: { tenantId, accountId: q.accountId, scope: q.scope } } })) as LimitRow | null;
    if (q.expectedVersion !== undefined && (current?.version ?? 0) !== q.expectedVersion) {
      throw new CrmError('CONFLICT', `the ${q.scope} limit of ${q.accountId} is at version ${current?.version ?? 'none'}, not ${q.expectedVersion}`, { details: { version: current?.version ?? null } });
    }
    // What the new limit would cover now.
    const facts = await runOnTx(tx, ctx, readCreditFacts(tenantId, q.accountId, ctx.clock.now(), null, undefined, path, { limitCurrencies: [q.currency] }));
    facts.path[0] = { ...facts.path[0]!, [q.scope === 'own' ? 'ownLimit' : 'groupLimit']: { amountMinor: q.amountMinor, currency: q.currency } };
    const status = statusOf(facts).limits.find((l) => l.accountId === q.accountId && l.scope === q.scope);
    // Without a rate for part of the exposure, whether the limit is below it cannot be told: it is set (checks refuse until a rate exists).
    const over = status && status.availableMinor !== null && status.availableMinor < 0;
    const lowering = !current || q.currency !== current.currency || q.amountMinor < Number(current.amountMinor);
    if (over && lowering && !q.force) {
      throw new CrmError('CREDIT_LIMIT_EXCEEDED', `${q.accountId}'s ${q.scope} exposure ${moneyText(status.exposureMinor!, q.currency)} is above the new limit ${moneyText(q.amountMinor, q.currency)}: pass force: true to set it anyway`, {
        fieldErrors: { amountMinor: [`below the current exposure ${status.exposureMinor}`] },
        details: { accountId: q.accountId, scope: q.scope, limitMinor: q.amountMinor, currency: q.currency, exposureMinor: status.exposureMinor, shortfallMinor: -status.availableMinor! },
      });
    }
    const now = ctx.clock.now();
    const data = { amountMinor: BigInt(q.amountMinor), currency: q.currency, setBy: ctx.actor.id, setAt: now };
    const row = (current
      ? await tx.creditLimit.update({ where: { tenantId_accountId_scope: { tenantId, accountId: q.accountId, scope: q.scope } }, data: { ...data, version: current.version + 1 } })
      : await tx.creditLimit.create({ data: { tenantId, accountId: q.accountId, scope: q.scope, ...data } })) as LimitRow;
    const after = toLimit(row);
    await recordChange(tx, ctx, {
      action: 'credit.limit_set', entityType: 'creditLimit', entityId: `${q.accountId}:${q.scope}`, before: current ? toLimit(current) : null,
      after: { ...after, ...(q.force ? { forced: true } : {}), ...(q.reason ? { reason: q.reason } : {}) },
    });
    if (over) {
      const explanation = [step(`credit-${q.scope}-limit`, 'matched', `${ctx.actor.id} set ${q.accountId}'s ${q.scope} limit to ${moneyText(q.amountMinor, q.currency)} with force, below its exposure ${moneyText(status.exposureMinor!, q.currency)}${q.reason ? `: ${q.reason}` : ''}`, q.accountId)];
      const decisionId = await recordDecision(tx, ctx, { kind: 'breach', accountId: q.accountId, orderId: null, decision: null, explanation });
      await recordChange(tx, ctx, { action: CREDIT_EVENTS.breached, entityType: 'creditLimit', entityId: `${q.accountId}:${q.scope}`, before: null, after: { accountId: q.accountId, scope: q.scope, availableMinor: status.availableMinor }, event: { decisionId, explanation } });
    }
    return after;
  });
}

/** `credit.removeLimit` (credit:manage): the account no longer has that limit. NOT_FOUND when it had none. */
export async function removeCreditLimit(ctx: ServiceContext, input: RemoveCreditLimitInput): Promise<CreditLimitRecord> {
  authorize(ctx.actor, 'credit:manage');
  const q = removeCreditLimitInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  await assertCanSeeAccount(ctx, q.accountId);
  return inTransaction(ctx, async (tx) => {
    await lockHierarchy(tx, ctx, 'change');
    const current = (await tx.creditLimit.findUnique({ where: { tenantId_accountId_scope: { tenantId, accountId: q.accountId, scope: q.scope } } })) as LimitRow | null;
    if (!current) throw CrmError.notFound('credit limit', `${q.accountId}:${q.scope}`);
    await tx.creditLimit.delete({ where: { tenantId_accountId_scope: { tenantId, accountId: q.accountId, scope: q.scope } } });
    await recordChange(tx, ctx, { action: 'credit.limit_removed', entityType: 'creditLimit', entityId: `${q.accountId}:${q.scope}`, before: toLimit(current), after: q.reason ? { reason: q.reason } : null });
    return toLimit(current);
  });
}

type HoldRow = { tenantId: string; accountId: string; reason: string; by: string; at: Date };
const toHold = (r: HoldRow): CreditHoldRecord => ({ accountId: r.accountId, reason: r.reason, by: r.by, at: r.at.toISOString() });

/** `credit.hold` (credit:manage): no new order for the account or its subtree passes until `credit.release`. CONFLICT when it is already on hold. */
export async function holdCredit(ctx: ServiceContext, input: CreditHoldInput): Promise<CreditHoldRecord> {
  authorize(ctx.actor, 'credit:manage');
  const q = creditHoldInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  await assertCanSeeAccount(ctx, q.accountId);
  return inTransaction(ctx, async (tx) => {
    await lockHierarchy(tx, ctx, 'change');
    const current = (await tx.creditHold.findUnique({ where: { tenantId_accountId: { tenantId, accountId: q.accountId } } })) as HoldRow | null;
    if (current) throw new CrmError('CONFLICT', `${q.accountId} is already on credit hold since ${current.at.toISOString()}: ${current.reason}`, { details: { hold: toHold(current) } });
    const row = (await tx.creditHold.create({ data: { tenantId, accountId: q.accountId, reason: q.reason, by: ctx.actor.id, at: ctx.clock.now() } })) as HoldRow;
    await recordChange(tx, ctx, { action: 'credit.held', entityType: 'creditHold', entityId: q.accountId, before: null, after: toHold(row) });
    return toHold(row);
  });
}

/** `credit.release` (credit:manage): lifts the account's hold; NOT_FOUND when it has none. Returns the hold lifted. */
export async function releaseCredit(ctx: ServiceContext, input: CreditReleaseInput): Promise<CreditHoldRecord> {
  authorize(ctx.actor, 'credit:manage');
  const q = creditReleaseInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  await assertCanSeeAccount(ctx, q.accountId);
  return inTransaction(ctx, async (tx) => {
    await lockHierarchy(tx, ctx, 'change');
    const current = (await tx.creditHold.findUnique({ where: { tenantId_accountId: { tenantId, accountId: q.accountId } } })) as HoldRow | null;
    if (!current) throw CrmError.notFound('credit hold', q.accountId);
    await tx.creditHold.delete({ where: { tenantId_accountId: { tenantId, accountId: q.accountId } } });
    await recordChange(tx, ctx, { action: 'credit.released', entityType: 'creditHold', entityId: q.accountId, before: toHold(current), after: q.reason ? { releasedBy: ctx.actor.id, reason: q.reason } : { releasedBy: ctx.actor.id } });
    return toHold(current);
  });
}

/**
 * `credit.status` (credit:read): the account's path to the root, every limit on it with its
 * exposure and what is available now, holds, pending approvals and the last decision about the
 * account with its explanation. Accounts of the path the caller may not see are shown as `null`.
 */
export async function creditStatus(ctx: ServiceContext, input: CreditStatusInput): Promise<AccountCreditStatus> {
  authorize(ctx.actor, 'credit:read');
  const q = creditStatusInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const scope = await visibilityOf(ctx);
  await loadVisibleAccount(ctx.db, tenantId, q.accountId, scope).catch(() => {
    throw CrmError.notFound('account', q.accountId);
  });
  const at = ctx.clock.now();
  const facts = await runOnTx(ctx.db, ctx, readCreditFacts(tenantId, q.accountId, at, null));
  const ids = facts.path.map((n) => n.accountId);
  const visible = await visibleAmong(ctx.db, ctx, scope, ids);
  const hidden = new Set(ids.filter((id) => !visible(id)));
  const status = statusOf(facts);
  const levelOf = new Map(ids.map((id, i) => [id, i]));
  const limits = status.limits.map((l) => ({ ...l, accountId: l.accountId && hidden.has(l.accountId) ? null : l.accountId, level: levelOf.get(l.accountId!) ?? 0 }));
  const holds = facts.path.filter((n) => n.hold).map((n) => ({ accountId: hidden.has(n.accountId) ? null : n.accountId, reason: n.hold!.reason, by: n.hold!.by, at: n.hold!.at.toISOString() }));
  const last = await ctx.db.creditDecision.findFirst({ where: { tenantId, accountId: q.accountId }, orderBy: [{ at: 'desc' }, { id: 'desc' }] });
  let lastDecision: CreditDecisionRecord | null = null;
  if (last) {
    const decision = last.decision ? redactDecision(JSON.parse(last.decision) as CreditDecision, visible) : null;
    lastDecision = {
      id: last.id, kind: last.kind as CreditDecisionRecord['kind'], accountId: last.accountId, orderId: last.orderId, code: last.code, at: last.at.toISOString(), by: last.by, decision,
      explanation: redactSteps(JSON.parse(last.explanation) as ExplanationStep[], hidden),
    };
  }
  const pending = await pendingApprovalsOf(ctx.db, tenantId, [q.accountId]);
  return {
    accountId: q.accountId,
    at: at.toISOString(),
    path: ids.map((id, level) => ({ accountId: hidden.has(id) ? null : id, level })),
    limits,
    breached: limits.some((l) => l.availableMinor !== null && l.availableMinor < 0),
    holds,
    missingRates: status.missingRates,
    pendingApprovals: pending.map((p) => ({ ...p, decision: redactDecision(p.decision, visible) })),
    lastDecision,
    explanation: redactSteps(status.explanation, hidden),
  };
}
