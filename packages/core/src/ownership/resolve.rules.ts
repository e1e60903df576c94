import { step, type ExplanationStep } from '../explanation.js';
import { inForce, type Period } from './periods.js';

/** What a routing question is for; delegations may be scoped to some of these. */
export type RoutingPurpose = 'order' | 'complaint' | 'approval' | 'renewal' | 'pool-notice' | 'general';

export type DelegationScope = 'all' | 'complaints' | 'approvals' | 'accounts';

export interface DelegationFact extends Period {
  id: string;
  delegatorId: string;
  delegateId: string;
  scope: DelegationScope;
  /** For scope `accounts`: the accounts it covers. */
  accountIds: readonly string[];
  validTo: Date;
}

export interface AwayFact {
  userId: string;
  awayFrom: Date;
  awayTo: Date;
}

/** Everything the resolver needs, loaded by the caller as of `at`. */
export interface RoutingFacts {
  at: Date;
  purpose: RoutingPurpose;
  accountId: string;
  /** The account's ownership in force at `at` (null: no owning team and no owners: the pool). */
  ownership: { teamId: string | null; primaryOwnerId: string | null; secondaryOwnerId: string | null } | null;
  /** The owning team's leader at `at`. */
  leaderId: string | null;
  /** The product line asked about, and the team member assigned to it at `at`, if any. */
  productLine?: { id: string; memberId: string | null } | undefined;
  /** For order-tied purposes: the rep recorded on the order line (or the order). */
  orderRepId?: string | null | undefined;
  /** A leader's override in force for this account (and product line / purpose), if any. */
  override?: { id: string; userId: string; actorId: string; reason: string } | null | undefined;
  /** Active users of the tenant; anyone else is skipped. */
  activeUserIds: ReadonlySet<string>;
  /** Delegations and away windows of the tenant (the resolver picks those in force at `at`). */
  delegations: readonly DelegationFact[];
  away: readonly AwayFact[];
}

export interface Resolution {
  /** The responsible person, or null when the account has nobody (it is in the pool). */
  userId: string | null;
  /** How the answer was reached, in order; the last step names the chosen person. */
  explanation: ExplanationStep[];
}

function delegationCovers(d: DelegationFact, purpose: RoutingPurpose, accountId: string): boolean {
  switch (d.scope) {
    case 'all':
      return true;
    case 'complaints':
      return purpose === 'complaint';
    case 'approvals':
      return purpose === 'approval';
    case 'accounts':
      return d.accountIds.includes(accountId);
  }
}

function isAway(facts: RoutingFacts, userId: string): boolean {
  const t = facts.at.getTime();
  return facts.away.some((a) => a.userId === userId && a.awayFrom.getTime() <= t && t < a.awayTo.getTime());
}

/** The delegation `userId` has in force for this question, if any (the most recent one). */
function activeDelegation(facts: RoutingFacts, userId: string): DelegationFact | undefined {
  let found: DelegationFact | undefined;
  for (const d of facts.delegations) {
    if (d.delegatorId === userId && inForce(d, facts.at) && delegationCovers(d, facts.purpose, facts.accountId) && (!found || d.validFrom > found.validFrom)) found = d;
  }
  return found;
}

/**
 * Follows `userId`'s delegations to the first person who can take the work now: someone active,
 * not away, and not delegating it further. Returns null (with the steps) when the chain ends in
 * nobody available. Loops cannot hang it: a person is visited once.
 */
export function followDelegations(facts: RoutingFacts, userId: string, role: string): { userId: string | null; steps: ExplanationStep[] } {
  const steps: ExplanationStep[] = [];
  const seen = new Set<string>();
  let current = userId;
  for (;;) {
    if (seen.has(current)) {
      steps.push(step('delegation', 'skipped', `delegations loop back to ${current}; nobody in the chain is available`, current));
      return { userId: null, steps };
    }
    seen.add(current);
    const delegation = activeDelegation(facts, current);
    if (delegation) {
      steps.push(step('delegation', 'applied', `${current} has delegated ${delegation.scope === 'all' ? 'their work' : delegation.scope} to ${delegation.delegateId} until ${delegation.validTo.toISOString()}`, delegation.delegateId));
      current = delegation.delegateId;
      continue;
    }
    if (!facts.activeUserIds.has(current)) {
      steps.push(step('availability', 'skipped', `${current} (${role}) is not an active user`, current));
      return { userId: null, steps };
    }
    if (isAway(facts, current)) {
      steps.push(step('availability', 'skipped', `${current} (${role}) is away and has no delegate for this`, current));
      return { userId: null, steps };
    }
    return { userId: current, steps };
  }
}

/**
 * Who is responsible, and why. The order of preference: a leader's override → the order line's
 * rep (purpose `order`) → the team member assigned to the product line → the primary owner →
 * the secondary owner → the team leader. Complaints follow DOMAIN §2: the order's rep (or the
 * product line's member), then the secondary owner, then the leader; a complaint tied to no
 * order or product line goes straight to the leader. A candidate who delegates is replaced by the first
 * available person down their delegation chain; one who is away without a delegate is passed
 * over. The leader is the last resort and is chosen even when away if nobody in the leader's
 * delegation chain is available, so an owned account always has someone.
 *
 * @example
 * resolveResponsible({ at, purpose: 'order', accountId, ownership: { teamId, primaryOwnerId: null, secondaryOwnerId: null },
 *   leaderId: 'lead', productLine: { id: 'pl_tools', memberId: 'zhao' }, activeUserIds, delegations: [], away: [] })
 * // { userId: 'zhao', explanation: [ …, { rule: 'product-line', outcome: 'matched', subjectId: 'zhao' } ] }
 */
export function resolveResponsible(facts: RoutingFacts): Resolution {
  const explanation: ExplanationStep[] = [];
  const own = facts.ownership;
  if (!own || (own.teamId === null && own.primaryOwnerId === null && own.secondaryOwnerId === null)) {
    explanation.push(step('pool', 'matched', `account ${facts.accountId} has no owning team and no owner: it is in the customer pool`, null));
    return { userId: null, explanation };
  }

  const candidates: { rule: string; role: string; userId: string | null | undefined; why: string }[] = [];
  if (facts.override) {
    candidates.push({ rule: 'override', role: 'override', userId: facts.override.userId, why: `override by ${facts.override.actorId}: ${facts.override.reason}` });
  }
  if (facts.purpose === 'complaint') {
    // DOMAIN §2: a complaint about an order (or one of its product lines) goes to the rep
    // responsible for it, then the secondary owner, then the leader; one tied to neither goes
    // straight to the leader, who assigns it.
    if (facts.orderRepId || facts.productLine) {
      if (facts.orderRepId) candidates.push({ rule: 'order-rep', role: "order's rep", userId: facts.orderRepId, why: 'the rep responsible for the order complained about' });
      if (facts.productLine) {
        candidates.push({ rule: 'product-line', role: `member for ${facts.productLine.id}`, userId: facts.productLine.memberId, why: `the team member assigned to product line ${facts.productLine.id}` });
      }
      candidates.push({ rule: 'secondary-owner', role: 'secondary owner', userId: own.secondaryOwnerId, why: 'the secondary owner' });
    } else {
      explanation.push(step('complaint', 'applied', 'a complaint tied to no order or product line goes to the team leader, who assigns it', null));
    }
  } else {
    if (facts.purpose === 'order' && facts.orderRepId !== undefined) {
      candidates.push({ rule: 'order-rep', role: "order line's rep", userId: facts.orderRepId, why: 'the rep recorded on the order line' });
    }
    if (facts.productLine) {
      candidates.push({ rule: 'product-line', role: `member for ${facts.productLine.id}`, userId: facts.productLine.memberId, why: `the team member assigned to product line ${facts.productLine.id}` });
    }
    candidates.push({ rule: 'primary-owner', role: 'primary owner', userId: own.primaryOwnerId, why: 'the primary owner' });
    candidates.push({ rule: 'secondary-owner', role: 'secondary owner', userId: own.secondaryOwnerId, why: 'the secondary owner' });
  }

  for (const c of candidates) {
    if (!c.userId) {
      explanation.push(step(c.rule, 'skipped', `no ${c.role}`, null));
      continue;
    }
    const { userId, steps } = followDelegations(facts, c.userId, c.role);
    explanation.push(...steps);
    if (userId) {
      explanation.push(step(c.rule, 'matched', userId === c.userId ? `${userId}: ${c.why}` : `${userId}, acting for ${c.userId} (${c.why})`, userId));
      return { userId, explanation };
    }
  }

  if (!facts.leaderId) {
    explanation.push(step('team-leader', 'skipped', own.teamId ? `team ${own.teamId} has no leader` : 'no owning team', null));
    return { userId: null, explanation };
  }
  const viaLeader = followDelegations(facts, facts.leaderId, 'team leader');
  explanation.push(...viaLeader.steps);
  const chosen = viaLeader.userId ?? facts.leaderId;
  explanation.push(
    step(
      'team-leader',
      'fallback',
      viaLeader.userId === null
        ? `${chosen}: the team leader, the last resort, although unavailable`
        : chosen === facts.leaderId
          ? `${chosen}: the team leader, as no earlier rule gave an available person`
          : `${chosen}, acting for the team leader ${facts.leaderId}`,
      chosen,
    ),
  );
  return { userId: chosen, explanation };
}
