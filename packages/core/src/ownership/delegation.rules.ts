import { CrmError } from '../errors.js';
import { overlaps, type Period } from './periods.js';
import type { DelegationFact, DelegationScope } from './resolve.rules.js';

function scopesOverlap(a: { scope: DelegationScope; accountIds: readonly string[] }, b: { scope: DelegationScope; accountIds: readonly string[] }): boolean {
  if (a.scope === 'all' || b.scope === 'all') return true;
  if (a.scope === 'accounts' && b.scope === 'accounts') return a.accountIds.some((id) => b.accountIds.includes(id));
  return a.scope === b.scope;
}

/**
 * Checks a new delegation against the delegations not yet ended: the window must be real, a user
 * cannot delegate to themselves, a delegator cannot have two delegations covering the same work
 * at the same time (CONFLICT), and delegations in force together cannot form a cycle (CYCLE). A
 * CYCLE names the whole loop: `details.path` (the users, from and back to the delegator) and
 * `details.delegationIds` (the existing delegations on it, in order); a server shows it only to a
 * caller who may see every one of them.
 *
 * @example
 * assertValidDelegation({ delegatorId: 'li', delegateId: 'zhao', … }, [{ delegatorId: 'zhao', delegateId: 'li', … }]) // throws CYCLE
 */
export function assertValidDelegation(next: Omit<DelegationFact, 'id'>, existing: readonly DelegationFact[]): void {
  if (next.delegatorId === next.delegateId) throw CrmError.validation('delegateId', 'a user cannot delegate to themselves');
  if (next.validTo.getTime() <= next.validFrom.getTime()) throw CrmError.validation('validTo', 'validTo must be after validFrom');
  if (next.scope === 'accounts' && next.accountIds.length === 0) throw CrmError.validation('accountIds', 'a delegation scoped to accounts names at least one account');
  const clash = existing.find((d) => d.delegatorId === next.delegatorId && overlaps(d, next) && scopesOverlap(d, next));
  if (clash) {
    throw new CrmError('CONFLICT', `${next.delegatorId} already delegates this work to ${clash.delegateId} in an overlapping window (${clash.id})`, { details: { delegationId: clash.id } });
  }
  // A path delegate → … → delegator whose delegations are all in force together with the new one
  // (their windows share an instant: `window` narrows along the path) closes a loop.
  const path = [next.delegatorId, next.delegateId];
  const visit = (from: string, trail: string[], via: string[], window: Period): { path: string[]; delegationIds: string[] } | null => {
    for (const d of existing.filter((e) => e.delegatorId === from && overlaps(e, window))) {
      if (d.delegateId === next.delegatorId) return { path: [...trail, d.delegateId], delegationIds: [...via, d.id] };
      if (!trail.includes(d.delegateId)) {
        const shared = { validFrom: d.validFrom > window.validFrom ? d.validFrom : window.validFrom, validTo: window.validTo && window.validTo < d.validTo ? window.validTo : d.validTo };
        const found = visit(d.delegateId, [...trail, d.delegateId], [...via, d.id], shared);
        if (found) return found;
      }
    }
    return null;
  };
  const loop = visit(next.delegateId, path, [], next);
  if (loop) {
    throw new CrmError('CYCLE', `the delegation would close a loop: ${loop.path.join(' → ')}`, {
      fieldErrors: { delegateId: ['this delegation would close a loop'] },
      details: { path: loop.path, delegationIds: loop.delegationIds },
    });
  }
}
