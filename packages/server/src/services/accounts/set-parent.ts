import { assertValidParentChange, availableOf, canSee, moneyText, CrmError, isCrmError, type Account, type VisibilityScope } from '@crmkit/core';
import { noteBreaches } from '../credit/breach.js';
import { readCreditFacts, runOnTx, visibleAmong } from '../credit/facts.js';
import { authorize, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { moveGroupFigures } from '../exposure/figures.js';
import { loadVisibleAccount, visibilityOf } from '../visibility.js';
import { accountSelect, ancestorChain, assertActive, assertVersion, lockHierarchy, subtreeIds, toAccount } from './account-rows.js';

/**
 * A CYCLE answer shown to the caller: the whole loop when the caller may see every account on it,
 * otherwise only that there is one, naming the accounts on it the caller may see (`accountIds`).
 * The rule in core reports the full path; the ancestors it walks may lie outside the caller's view.
 */
async function redactCycle(tx: Tx, tenantId: string, error: CrmError, scope: VisibilityScope): Promise<CrmError> {
  if (scope.all) return error;
  const path = [...new Set((error.details?.path ?? []) as string[])];
  const rows = await tx.account.findMany({
    where: { tenantId, id: { in: path } },
    select: { id: true, ownerTeamId: true, primaryOwnerId: true, secondaryOwnerId: true },
  });
  const visible = path.filter((id) => rows.some((r) => r.id === id && canSee(scope, r)));
  if (visible.length === path.length) return error;
  return new CrmError('CYCLE', 'the new parent is a descendant of this account through accounts you cannot see', {
    fieldErrors: { parentId: ['the new parent is a descendant of this account'] },
    details: { accountIds: visible },
  });
}

/**
 * The credit side of a move: the branch's exposure now counts toward its new ancestors' group
 * limits. A new ancestor's group limit it pushes over refuses the move (CREDIT_LIMIT_EXCEEDED,
 * naming only accounts the caller may see) unless `force`; a forced move records the breach and
 * emits `credit.breached`.
 */
async function assertNewAncestorsFit(tx: Tx, ctx: ServiceContext, scope: VisibilityScope, accountId: string, added: readonly string[], force: boolean): Promise<void> {
  if (added.length === 0) return;
  const facts = await runOnTx(tx, ctx, readCreditFacts(ctx.actor.tenantId, accountId, ctx.clock.now(), null));
  const path = facts.path.map((n) => (added.includes(n.accountId) ? { ...n, ownLimit: null } : { accountId: n.accountId }));
  const over = availableOf({ at: facts.at, path, exposures: facts.exposures, rates: facts.rates, overrunBps: facts.policy.overrunBps }).limits.filter((l) => l.availableMinor !== null && l.availableMinor < 0);
  if (over.length === 0) return;
  if (force) return noteBreaches(tx, ctx, [accountId], `moving ${accountId}`);
  const visible = await visibleAmong(tx, ctx, scope, facts.path.map((n) => n.accountId));
  const breaches = over.map((l) => ({
    accountId: l.accountId && visible(l.accountId) ? l.accountId : null, scope: l.scope, currency: l.currency, limitMinor: l.limitMinor, allowedMinor: l.allowedMinor, exposureMinor: l.exposureMinor!, shortfallMinor: -l.availableMinor!,
  }));
  const named = breaches
    .map((b) => `${b.accountId ?? 'an account you may not see'} group limit ${moneyText(b.limitMinor, b.currency)} (its exposure would be ${moneyText(b.exposureMinor, b.currency)}, over by ${moneyText(b.shortfallMinor, b.currency)})`)
    .join('; ');
  throw new CrmError('CREDIT_LIMIT_EXCEEDED', `moving ${accountId} would push ${named} over: pass force: true to move it anyway`, { details: { accountId, breaches } });
}

/**
 * Moves an account (with its branches) under a new parent, or to the top level with `null`.
 * Refused with CYCLE when the new parent is the account or one of its branches, and with
 * VALIDATION when the moved subtree would end up too deep. Both the account and the new parent
 * must be visible to the caller (else NOT_FOUND); a CYCLE answer names only accounts they may see.
 */
export async function setAccountParent(ctx: ServiceContext, input: { id: string; parentId: string | null; force?: boolean | undefined; expectedVersion?: number | undefined }): Promise<Account> {
  authorize(ctx.actor, 'accounts:write');
  const { tenantId } = ctx.actor;
  const scope = await visibilityOf(ctx);
  return inTransaction(ctx, async (tx) => {
    await lockHierarchy(tx, ctx);
    const current = await loadVisibleAccount(tx, tenantId, input.id, scope);
    assertActive(current);
    assertVersion(current, input.expectedVersion);
    if (current.parentId === input.parentId) return toAccount(current);
    let newParent = null;
    let newAncestors: string[] = [];
    if (input.parentId !== null) {
      const parent = await loadVisibleAccount(tx, tenantId, input.parentId, scope);
      assertActive(parent, 'parent account');
      newAncestors = (await ancestorChain(tx, tenantId, parent.id)).map((c) => c.id);
      newParent = { id: parent.id, ancestorIds: newAncestors.slice(1) };
    }
    const subtree = await subtreeIds(tx, tenantId, current.id);
    try {
      assertValidParentChange({ accountId: current.id, newParent, subtreeHeight: Math.max(...subtree.map((s) => s.lvl)) });
    } catch (error) {
      if (isCrmError(error) && error.code === 'CYCLE') throw await redactCycle(tx, tenantId, error, scope);
      throw error;
    }
    const oldAncestors = (await ancestorChain(tx, tenantId, current.id)).slice(1).map((c) => c.id);
    const row = await tx.account.update({
      where: { id: current.id },
      data: { parentId: input.parentId, version: current.version + 1, updatedAt: ctx.clock.now() },
      select: accountSelect,
    });
    // The branch's group figures (orders, invoices, credit of its whole subtree) now count toward its new ancestors.
    await moveGroupFigures(tx, ctx, current.id, oldAncestors, newAncestors);
    await assertNewAncestorsFit(tx, ctx, scope, current.id, newAncestors.filter((id) => !oldAncestors.includes(id)), input.force === true);
    const after = toAccount(row);
    await recordChange(tx, ctx, { action: 'account.parent_changed', entityType: 'account', entityId: current.id, before: toAccount(current), after });
    return after;
  });
}
