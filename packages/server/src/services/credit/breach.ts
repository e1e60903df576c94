import { availableOf, moneyText, step, type ExplanationStep, type ExposureDelta } from '@crmkit/core';
import type { ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { recordChange } from '../audit/record.js';
import { CREDIT_EVENTS } from './approvals.js';
import { recordDecision } from './check.js';
import { readCreditFacts, runOnTx } from './facts.js';

// Facts from outside (invoices, payments, voids) are never refused: they move exposure, and when a
// limit on the path is over afterwards, `credit.breached` is emitted and recorded (credit.status).

/**
 * After an outside fact moved the exposure of `accountIds`: for each, every limit on its path
 * that is now over is recorded as a breach and emitted as `credit.breached` (one event per
 * account, naming each limit over, its exposure and by how much). Limits of accounts without
 * limits cost one path read.
 */
export async function noteBreaches(tx: Tx, ctx: ServiceContext, accountIds: readonly string[], cause: string): Promise<void> {
  const { tenantId } = ctx.actor;
  for (const accountId of [...new Set(accountIds)].sort()) {
    const facts = await runOnTx(tx, ctx, readCreditFacts(tenantId, accountId, ctx.clock.now(), null));
    if (!facts.path.some((n, i) => (i === 0 && n.ownLimit) || n.groupLimit)) continue;
    const path = facts.path.map((n, i) => (i === 0 ? n : { ...n, ownLimit: null }));
    const status = availableOf({ at: facts.at, path, exposures: facts.exposures, rates: facts.rates, overrunBps: facts.policy.overrunBps });
    const over = status.limits.filter((l) => l.availableMinor !== null && l.availableMinor < 0);
    if (over.length === 0) continue;
    const explanation: ExplanationStep[] = [
      ...status.explanation,
      ...over.map((l) => step(`credit-${l.scope}-limit`, 'matched', `${cause}: ${l.accountId} ${l.scope} exposure ${moneyText(l.exposureMinor!, l.currency)} is over its limit ${moneyText(l.limitMinor, l.currency)} by ${moneyText(-l.availableMinor!, l.currency)}`, l.accountId)),
    ];
    const decisionId = await recordDecision(tx, ctx, { kind: 'breach', accountId, orderId: null, decision: null, explanation });
    await recordChange(tx, ctx, {
      action: CREDIT_EVENTS.breached, entityType: 'account', entityId: accountId, before: null,
      after: { accountId, cause, limits: over.map((l) => ({ accountId: l.accountId, scope: l.scope, currency: l.currency, limitMinor: l.limitMinor, exposureMinor: l.exposureMinor, overByMinor: -l.availableMinor! })) },
      event: { decisionId, explanation },
    });
  }
}

/** The accounts whose exposure the deltas raise (orders + invoices − credit, summed per account). */
export function raisedBy(deltas: readonly ExposureDelta[]): string[] {
  const net = new Map<string, number>();
  for (const d of deltas) net.set(d.accountId, (net.get(d.accountId) ?? 0) + (d.ordersOpenMinor ?? 0) + (d.invoicesOpenMinor ?? 0) - (d.onAccountCreditMinor ?? 0));
  return [...net].filter(([, n]) => n > 0).map(([id]) => id);
}
