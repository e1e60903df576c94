import { DAY_MS } from '../clock.js';
import { CrmError } from '../errors.js';
import { step, type ExplanationStep } from '../explanation.js';
import type { OwnershipCause } from '../ownership/ownership.schema.js';

export interface PoolPolicy {
  /** The grade this policy is for, or `*` for every grade without its own. */
  grade: string;
  /** An owned account returns after this many days without a follow-up. */
  returnAfterDays: number;
  /** The owner it was taken from cannot claim it again for this many days. */
  reclaimBlockDays: number;
  /** Owners are reminded this many days before the return. */
  reminderDays: number;
  /** How many accounts (of this grade, or in all for `*`) one rep may hold as primary owner through claims. */
  maxClaimsPerRep: number;
}

/** The policy that applies to a grade: its own, else the `*` default, else none (never returns). */
export function policyFor(policies: readonly PoolPolicy[], grade: string | null): PoolPolicy | null {
  return policies.find((p) => grade !== null && p.grade === grade) ?? policies.find((p) => p.grade === '*') ?? null;
}

/** An owned account, as the pool rules see it. */
export interface PoolCandidate {
  accountId: string;
  grade: string | null;
  primaryOwnerId: string | null;
  ownerTeamId: string | null;
  /** When the current owner's tenure began (claim or assignment). */
  ownedSince: Date | null;
  lastFollowUpAt: Date | null;
}

/** When a rule makes an account due, and why. */
export interface PoolDue {
  rule: string;
  dueAt: Date;
  message: string;
}

/** The candidate timestamps a bound may constrain (the columns of the same names on the account). */
export type CandidateTimeField = 'ownedSince' | 'lastFollowUpAt';

/**
 * A condition on a candidate's stored facts, given as data so the server can turn it into SQL
 * (a WHERE clause over the account's columns) and a test can evaluate it in memory
 * ({@link matchesCandidateBound}). A rule's bound is *conservative*: every account the rule can
 * find due passes it; accounts passing it are still judged by the rule itself.
 *
 * - `atMost`: the field is set and `field <= instant`.
 * - `isNull`: the field is not set.
 * - `gradeIn`: the grade is set and one of `grades`; `gradeNotIn`: the grade is unset or none of them.
 */
export type CandidateBound =
  | { op: 'true' }
  | { op: 'false' }
  | { op: 'and'; of: readonly CandidateBound[] }
  | { op: 'or'; of: readonly CandidateBound[] }
  | { op: 'isNull'; field: CandidateTimeField }
  | { op: 'atMost'; field: CandidateTimeField; instant: Date }
  | { op: 'gradeIn'; grades: readonly string[] }
  | { op: 'gradeNotIn'; grades: readonly string[] };

const TRUE: CandidateBound = { op: 'true' };
const FALSE: CandidateBound = { op: 'false' };

/** Conjunction with constant folding (an empty list is true). */
export function allOf(...of: CandidateBound[]): CandidateBound {
  if (of.some((b) => b.op === 'false')) return FALSE;
  const rest = of.filter((b) => b.op !== 'true');
  return rest.length === 0 ? TRUE : rest.length === 1 ? rest[0]! : { op: 'and', of: rest };
}

/** Disjunction with constant folding (an empty list is false). */
export function anyOf(...of: CandidateBound[]): CandidateBound {
  if (of.some((b) => b.op === 'true')) return TRUE;
  const rest = of.filter((b) => b.op !== 'false');
  return rest.length === 0 ? FALSE : rest.length === 1 ? rest[0]! : { op: 'or', of: rest };
}

/** Evaluates a bound on one candidate, with exactly the meaning its SQL form has. */
export function matchesCandidateBound(bound: CandidateBound, c: PoolCandidate): boolean {
  switch (bound.op) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'and':
      return bound.of.every((b) => matchesCandidateBound(b, c));
    case 'or':
      return bound.of.some((b) => matchesCandidateBound(b, c));
    case 'isNull':
      return c[bound.field] === null;
    case 'atMost': {
      const value = c[bound.field];
      return value !== null && value.getTime() <= bound.instant.getTime();
    }
    case 'gradeIn':
      return c.grade !== null && bound.grades.includes(c.grade);
    case 'gradeNotIn':
      return c.grade === null || !bound.grades.includes(c.grade);
  }
}

/**
 * A reason an account falls due to return. Later capabilities add rules (no deal within M days of claim).
 *
 * A rule states, besides the decision itself, `candidates(policy, until)`: a conservative
 * {@link CandidateBound} that every account it would find due at or before `until` under
 * `policy` satisfies. The sweep and the preview load only accounts passing the bound (in SQL)
 * and then judge each with the rule, so the bound decides nothing on its own: it may let in too
 * many accounts, never too few (pool.rules.test.ts checks this by property for the rules here).
 * A rule without `candidates` is correct but makes every owned account a candidate (a full scan).
 */
export interface PoolReturnRule {
  (candidate: PoolCandidate, policy: PoolPolicy): PoolDue | null;
  candidates?: (policy: PoolPolicy, until: Date) => CandidateBound;
}
/** A reason an account must not return now (an open opportunity, for example). */
export type PoolExclusion = (candidate: PoolCandidate, at: Date) => { rule: string; message: string } | null;

/** Base rule: no follow-up for `returnAfterDays` since the later of the tenure start and the last follow-up. */
export const noFollowUpRule: PoolReturnRule = Object.assign(
  (c: PoolCandidate, policy: PoolPolicy): PoolDue | null => {
    const since = [c.ownedSince, c.lastFollowUpAt].filter((d): d is Date => d !== null).reduce<Date | null>((a, b) => (a === null || b > a ? b : a), null);
    if (since === null) return null;
    const dueAt = new Date(since.getTime() + policy.returnAfterDays * DAY_MS);
    const what = c.lastFollowUpAt && c.lastFollowUpAt.getTime() === since.getTime() ? `last follow-up ${since.toISOString()}` : `owned since ${since.toISOString()} with no follow-up`;
    return { rule: 'no-follow-up', dueAt, message: `${what}; returns after ${policy.returnAfterDays} days without a follow-up` };
  },
  {
    /**
     * Due by `until` exactly when the later of the two instants is at most `until − N days`:
     * every set one is at most that, and at least one is set. (Exact, not only conservative.)
     */
    candidates: (policy: PoolPolicy, until: Date): CandidateBound => {
      const instant = new Date(until.getTime() - policy.returnAfterDays * DAY_MS);
      return anyOf(
        allOf({ op: 'atMost', field: 'ownedSince', instant }, anyOf({ op: 'isNull', field: 'lastFollowUpAt' }, { op: 'atMost', field: 'lastFollowUpAt', instant })),
        allOf({ op: 'isNull', field: 'ownedSince' }, { op: 'atMost', field: 'lastFollowUpAt', instant }),
      );
    },
  },
);

/**
 * The accounts that can have a return decision due at or before `until(policy)` under the given
 * policies and rules: for each policy, the grades it applies to (as {@link policyFor} picks it)
 * and any of the rules' bounds under it. Exclusions only remove accounts, so they are ignored
 * here. With `until = () => u`, every account whose `poolReturnDecision(…).dueAt <= u` passes;
 * with a per-policy horizon (`at + reminderDays` days), every account whose reminder is due.
 */
export function poolCandidateBound(policies: readonly PoolPolicy[], until: (policy: PoolPolicy) => Date, rules: readonly PoolReturnRule[] = [noFollowUpRule]): CandidateBound {
  // policyFor takes the first policy of a grade, else the first '*'.
  const firstOfGrade = new Map<string, PoolPolicy>();
  for (const p of policies) if (!firstOfGrade.has(p.grade)) firstOfGrade.set(p.grade, p);
  const ownGrades = [...firstOfGrade.keys()].filter((g) => g !== '*');
  const perPolicy = [...firstOfGrade.entries()].map(([grade, policy]) => {
    const grades: CandidateBound = grade === '*' ? (ownGrades.length ? { op: 'gradeNotIn', grades: ownGrades } : TRUE) : { op: 'gradeIn', grades: [grade] };
    const horizon = until(policy);
    return allOf(grades, anyOf(...rules.map((rule) => (rule.candidates ? rule.candidates(policy, horizon) : TRUE))));
  });
  return anyOf(...perPolicy);
}

export interface PoolReturnDecision {
  accountId: string;
  dueAt: Date;
  remindAt: Date;
  rule: string;
  explanation: ExplanationStep[];
}

/**
 * When an owned account returns to the pool, and why: the earliest due time among the rules,
 * unless an exclusion holds at `at`. Null when it never will under the current facts. The
 * return happens at `dueAt` exactly (not a day early); the owner is reminded at `remindAt`.
 */
export function poolReturnDecision(
  c: PoolCandidate,
  policy: PoolPolicy | null,
  at: Date,
  rules: readonly PoolReturnRule[] = [noFollowUpRule],
  exclusions: readonly PoolExclusion[] = [],
): PoolReturnDecision | null {
  if (c.ownerTeamId === null && c.primaryOwnerId === null) return null;
  if (!policy) return null;
  const explanation: ExplanationStep[] = [step('pool-policy', 'applied', `policy for grade ${policy.grade}: return after ${policy.returnAfterDays} days`, null)];
  for (const exclusion of exclusions) {
    const hit = exclusion(c, at);
    if (hit) return null;
  }
  let best: PoolDue | null = null;
  for (const rule of rules) {
    const due = rule(c, policy);
    if (due && (best === null || due.dueAt < best.dueAt)) best = due;
  }
  if (!best) return null;
  explanation.push(step(best.rule, 'matched', best.message, c.accountId));
  return { accountId: c.accountId, dueAt: best.dueAt, remindAt: new Date(best.dueAt.getTime() - policy.reminderDays * DAY_MS), rule: best.rule, explanation };
}

/**
 * The candidate bound that goes with this decision (the same function as {@link poolCandidateBound}),
 * reachable through the decision the server already imports from `@crmkit/core`.
 */

/**
 * The causes of a period by which its previous primary owner lost the account to the pool: the
 * reclaim block runs from the start of such a period (a departure to the pool starts none).
 */
export const POOL_LOSS_CAUSES = ['pool-return', 'release'] as const satisfies readonly OwnershipCause[];

/**
 * The causes of a period by which the account was taken out of the pool. While such a period is
 * in force, a rep asking to claim the account learns it was taken (CONFLICT), never by whom:
 * every rep could see it while it sat in the pool.
 */
export const POOL_TAKING_CAUSES = ['claim', 'pool-assign'] as const satisfies readonly OwnershipCause[];

export interface ClaimFacts {
  userId: string;
  at: Date;
  policy: PoolPolicy | null;
  /** Accounts the user holds now as primary owner that count against this policy's cap. */
  heldCount: number;
  /** The latest time this user lost the account to the pool (return or release), if any. */
  lostAt: Date | null;
}

/** Refuses a claim over the rep's cap or within the reclaim block, saying which and until when. */
export function assertCanClaim(f: ClaimFacts): void {
  if (f.policy && f.heldCount >= f.policy.maxClaimsPerRep) {
    throw new CrmError('PRECONDITION_FAILED', `${f.userId} already holds ${f.heldCount} accounts; the limit for grade ${f.policy.grade} is ${f.policy.maxClaimsPerRep}`, {
      details: { rule: 'claim-cap', held: f.heldCount, limit: f.policy.maxClaimsPerRep, grade: f.policy.grade },
    });
  }
  if (f.policy && f.lostAt) {
    const until = new Date(f.lostAt.getTime() + f.policy.reclaimBlockDays * DAY_MS);
    if (f.at < until) {
      throw new CrmError('PRECONDITION_FAILED', `${f.userId} lost this account to the pool on ${f.lostAt.toISOString()} and cannot claim it again before ${until.toISOString()}`, {
        details: { rule: 'reclaim-block', until: until.toISOString() },
      });
    }
  }
}

/** Who owns an account: its team and its primary and secondary owners. */
export interface OwnershipState {
  teamId: string | null;
  primaryOwnerId: string | null;
  secondaryOwnerId: string | null;
}

/**
 * When an account's pool clock (its tenure) starts after an ownership change from `before` to
 * `next` at `at`: it restarts when the primary owner changes (a claim or a handover) or an
 * unowned account becomes owned, and is kept on a change of the secondary owner or the team
 * alone. Returns the new start, `null` for an unowned account, or `undefined` to keep the start.
 *
 * @example tenureStartAfter({ teamId: null, primaryOwnerId: null, secondaryOwnerId: null }, { teamId: null, primaryOwnerId: 'li', secondaryOwnerId: null }, at) // at (a claim)
 */
export function tenureStartAfter(before: OwnershipState, next: OwnershipState, at: Date): Date | null | undefined {
  const owned = next.teamId !== null || next.primaryOwnerId !== null;
  if (!owned) return null;
  const wasOwned = before.teamId !== null || before.primaryOwnerId !== null;
  return next.primaryOwnerId !== before.primaryOwnerId || !wasOwned ? at : undefined;
}
